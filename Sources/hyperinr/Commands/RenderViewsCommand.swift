import ArgumentParser
import Foundation
import HyperTensor
import Signals

struct RenderViews: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render-views",
    abstract: "Render RGBA views of a mesh from cameras around it, as a NeRF-synthetic / LearnIt object folder.",
    discussion: """
      The mesh is centred and scaled so that its longest side spans [-1, 1]; cameras on a sphere of --radius \
      around it (directions uniform over the sphere, drawn from --seed) look at its centre, so that near 2 / far \
      6 bracket it at the default radius 4. Shading: Lambertian under a fixed light plus ambient, with a colour \
      scheme (solid, two-tone or checker) drawn from --seed. Writes <folder>/r_000.png ... and \
      <folder>/transforms.json (camera_angle_x, camera-to-world matrices: x right, y up, z towards the viewer; \
      world up +z). The folder must not exist; nothing is left behind on failure.
      """)

  @Argument(help: "Mesh file (.obj or .ply).")
  var mesh: String
  @Option(name: .shortAndLong, help: "Output folder (must not exist yet).")
  var output: String
  @OptionGroup var view: ViewOptions

  func validate() throws { try ViewOptions.check(view.dataset()) }

  func run() throws {
    try Console.reportingErrors {
      let input = URL(fileURLWithPath: mesh), out = URL(fileURLWithPath: output)
      try OutputPath.checkFolder(out)
      try StagedFolder.requireNew(out)
      let shape = try Mesh.load(input)
      var rng = RandomGenerator(seed: view.seed(over: nil))
      let start = Date(), settings = view.dataset()
      try settings.scene(of: shape, rng: &rng).write(to: out)
      Console.note("wrote \(out.path): \(settings.views) views of \(settings.size)x\(settings.size), \(shape.triangles.count) triangles, " +
                   String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
  }
}
