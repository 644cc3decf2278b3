import ArgumentParser
import Foundation
import NeuralFields
import Signals

struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Render new views of a scene model (written by `hyperinr fit VIEWS_FOLDER`): one pose or a turntable.",
    discussion: PoseOptions.discussion)

  @Argument(help: "Scene model file (.safetensors).")
  var model: String
  @Option(name: .shortAndLong, help: "Output PNG of the view(s).")
  var output: String
  @OptionGroup var poses: PoseOptions
  @Option(help: "View width and height in pixels (default: the training views').")
  var size: Int?
  @Option(help: "Horizontal field of view in radians (default: the training views').")
  var fov: Float?

  func validate() throws {
    try Limits.require(size.flatMap { Limits.check("--size", $0, Limits.viewSize) }, fov.flatMap { Limits.checkPositive("--fov", $0, max: 3.1) })
    let views = poses.turntable ?? 1, side = size ?? 512
    try Limits.require(Limits.checkMemory(views * side * side * 4 * 64, for: "rendering \(views) views of \(side)x\(side)", advice: "render fewer or smaller views"))
  }

  func run() throws {
    try Console.reportingErrors {
      let input = URL(fileURLWithPath: model)
      let outputs = try poses.outputs(output, inputs: [input])
      let scene = try SceneModel.load(input)
      Console.note("wrote " + (try poses.render(scene, to: outputs[0], size: size, fov: fov)))
    }
  }
}
