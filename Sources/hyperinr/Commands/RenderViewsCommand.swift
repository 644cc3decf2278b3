import ArgumentParser
import Foundation
import HyperTensor
import NeuralFields
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
  @Option(help: "Number of views.")
  var views = 25
  @Option(help: "View width and height in pixels.")
  var size = 64
  @Option(help: "Seed of the camera directions and the colours.")
  var seed: UInt64 = 0
  @Option(help: "Camera distance from the object's centre.")
  var radius: Float = 4
  @Option(help: "Horizontal field of view in radians (camera_angle_x).")
  var fov: Float = 0.6911
  @Option(help: "Rays per pixel along each axis (anti-aliasing; alpha is the share that hit).")
  var samples = 2

  func validate() throws {
    try Limits.require(Limits.check("--views", views, Limits.views), Limits.check("--size", size, Limits.viewSize),
                       Limits.check("--samples", samples, Limits.raysPerPixelAxis),
                       Limits.checkPositive("--radius", radius, max: 1000), Limits.checkPositive("--fov", fov, max: 3.1))
    if radius <= 1.8 { throw ValidationError("--radius must be above 1.8 (the scaled mesh reaches 1.74 from its centre), got \(radius)") }
  }

  func run() throws {
    try Console.reportingErrors {
      let input = URL(fileURLWithPath: mesh), out = URL(fileURLWithPath: output)
      try OutputPath.checkFolder(out)
      try MultiViewScene.requireNew(out)
      let shape = try Mesh.load(input).normalized(extent: 1)
      var rng = RandomGenerator(seed: seed)
      var renderer = ViewRenderer(mesh: shape, albedo: .random(rng: &rng))
      renderer.samples = samples
      let cameras = PinholeCamera.orbit(count: views, radius: radius, width: size, height: size, angleX: fov, rng: &rng)
      let start = Date()
      let images = cameras.enumerated().map { i, c -> Image in
        if i > 0, i % 10 == 0 { Console.note("rendered \(i)/\(cameras.count) views (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)") }
        return renderer.render(c)
      }
      try MultiViewScene(cameras: cameras, views: images).write(to: out)
      Console.note("wrote \(out.path): \(views) views of \(size)x\(size), \(shape.triangles.count) triangles, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
  }
}
