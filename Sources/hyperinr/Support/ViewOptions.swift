import ArgumentParser
import NeuralFields
import Signals

/// The rendering options of render-views and make-views.
struct ViewOptions: ParsableArguments {
  @Option(help: "Views per object.")
  var views = 25
  @Option(help: "View width and height in pixels.")
  var size = 64
  @Option(help: "Seed of the shapes, colours and camera directions.")
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
    try Limits.require(Limits.checkMemory(views * size * size * 16, for: "\(views) views of \(size)x\(size)", advice: "render fewer or smaller views"))
    if radius <= 1.8 { throw ValidationError("--radius must be above 1.8 (the scaled mesh reaches 1.74 from its centre), got \(radius)") }
  }

  var dataset: ViewDataset {
    var d = ViewDataset()
    (d.views, d.size, d.samples, d.radius, d.angleX) = (views, size, samples, radius, fov)
    return d
  }
}
