import ArgumentParser
import Foundation
import NeuralFields
import Signals

struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Render new views of a scene model (written by `hyperinr fit VIEWS_FOLDER`): one pose or a turntable.",
    discussion: """
      --pose AZ,EL[,R] places the camera at azimuth AZ and elevation EL (degrees; world up +z, azimuth 0 on +x) \
      at distance R (default: the training cameras' mean distance), looking at the origin; --pose with 16 \
      numbers gives a camera-to-world matrix row by row (x right, y up, z towards the viewer, as in \
      transforms.json). --turntable N renders N views around the object at --elevation, in rows of --columns. \
      --depth and --opacity write the expected depth (white near, black far or empty) and the opacity (white \
      opaque) of the same views as grey PNGs.
      """)

  @Argument(help: "Scene model file (.safetensors).")
  var model: String
  @Option(name: .shortAndLong, help: "Output PNG of the view(s).")
  var output: String
  @Option(help: "Camera: AZ,EL[,R] in degrees (and distance), or 16 comma-separated numbers of a camera-to-world matrix.")
  var pose: String?
  @Option(help: "Render N views at azimuths 0, 360/N, ... instead of one pose.")
  var turntable: Int?
  @Option(help: "Turntable: camera elevation in degrees.")
  var elevation: Float = 30
  @Option(help: "Turntable: views per row of the output (default all in one row up to 12).")
  var columns: Int?
  @Option(help: "View width and height in pixels (default: the training views').")
  var size: Int?
  @Option(help: "Horizontal field of view in radians (default: the training views').")
  var fov: Float?
  @Option(help: "Also write the depth map(s) to this PNG.")
  var depth: String?
  @Option(help: "Also write the opacity map(s) to this PNG.")
  var opacity: String?

  func validate() throws {
    guard (pose == nil) != (turntable == nil) else { throw ValidationError("give exactly one of --pose and --turntable") }
    try Limits.require(turntable.flatMap { Limits.check("--turntable", $0, 1...360) }, columns.flatMap { Limits.check("--columns", $0, 1...360) },
                       size.flatMap { Limits.check("--size", $0, Limits.viewSize) }, fov.flatMap { Limits.checkPositive("--fov", $0, max: 3.1) })
    guard elevation.isFinite, abs(elevation) <= 90 else { throw ValidationError("--elevation must be in -90...90 degrees, got \(elevation)") }
    if let pose { _ = try Self.parsePose(pose) }
    let views = turntable ?? 1, side = size ?? 512
    try Limits.require(Limits.checkMemory(views * side * side * 4 * 64, for: "rendering \(views) views of \(side)x\(side)", advice: "render fewer or smaller views"))
  }

  /// A camera pose: azimuth, elevation (degrees) and an optional distance, or a camera-to-world matrix.
  enum Pose {
    case orbit(azimuth: Float, elevation: Float, radius: Float?)
    case matrix([SIMD4<Float>])
  }

  static func parsePose(_ text: String) throws -> Pose {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
    let expected = "expected AZ,EL or AZ,EL,R (degrees, distance) or 16 numbers of a camera-to-world matrix, e.g. 30,20 or 30,20,4"
    guard [2, 3, 16].contains(parts.count), parts.allSatisfy({ $0?.isFinite ?? false }) else {
      throw ValidationError("--pose '\(text)' does not parse: \(expected)")
    }
    let v = parts.map { $0! }
    if v.count == 16 {
      let rows = (0..<4).map { SIMD4(v[4 * $0], v[4 * $0 + 1], v[4 * $0 + 2], v[4 * $0 + 3]) }
      guard PinholeCamera.isRigid(rows) else {
        throw ValidationError("--pose: the 16 numbers are not a camera-to-world matrix (a rotation and a translation, last row 0 0 0 1)")
      }
      return .matrix(rows)
    }
    guard abs(v[1]) <= 90 else { throw ValidationError("--pose: elevation must be in -90...90 degrees, got \(v[1])") }
    if v.count == 3, !(v[2] > 0 && v[2] <= 1e6) { throw ValidationError("--pose: the distance must be in (0, 1e6], got \(v[2])") }
    return .orbit(azimuth: v[0], elevation: v[1], radius: v.count == 3 ? v[2] : nil)
  }

  func run() throws {
    try Console.reportingErrors {
      let input = URL(fileURLWithPath: model)
      let outputs = [output, depth, opacity].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
      for url in outputs where url.pathExtension.lowercased() != "png" { throw SignalError(url.path, "renders are written as .png, not '.\(url.pathExtension)'") }
      try OutputPath.check(outputs, inputs: [input])
      let scene = try SceneModel.load(input)
      let cameras: [PinholeCamera]
      if let turntable {
        cameras = (0..<turntable).map { scene.camera(azimuth: 360 * Float($0) / Float(turntable), elevation: elevation, size: size, angleX: fov) }
      } else {
        switch try Self.parsePose(pose!) {
        case let .orbit(a, e, r): cameras = [scene.camera(azimuth: a, elevation: e, radius: r, size: size, angleX: fov)]
        case let .matrix(m):
          let s = size ?? scene.info.size
          cameras = [PinholeCamera(width: s, height: s, angleX: fov ?? scene.info.angleX, cameraToWorld: m)]
        }
      }
      let start = Date()
      let printer = ProgressPrinter()
      var views: [RenderedView] = []
      for camera in cameras {
        views.append(scene.render(camera))
        if cameras.count > 1 { printer.update(step: views.count, of: cameras.count, elapsed: Date().timeIntervalSince(start), fields: "rendering") }
      }
      printer.finish()
      let perRow = columns ?? min(views.count, 12)
      try Image.tiled(views.map(\.rgb), columns: perRow).writePNG(outputs[0])
      if let depth { try Image.tiled(views.map(\.depthImage), columns: perRow).writePNG(URL(fileURLWithPath: depth)) }
      if let opacity { try Image.tiled(views.map(\.opacityImage), columns: perRow).writePNG(URL(fileURLWithPath: opacity)) }
      Console.note("wrote \(outputs.map(\.path).joined(separator: ", ")): \(views.count) view\(views.count == 1 ? "" : "s") of " +
                   "\(cameras[0].width)x\(cameras[0].height), " + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
  }
}
