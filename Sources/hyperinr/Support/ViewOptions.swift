import ArgumentParser
import NeuralFields
import Signals

/// The rendering options of render-views and make-views. Each is optional so that make-views can lay them
/// over a configuration file's values; `dataset(over:)` resolves them, `check` validates the result (each
/// command calls it on the settings it uses).
struct ViewOptions: ParsableArguments {
  @Option(help: "Views per object (default 25).")
  var views: Int?
  @Option(help: "View width and height in pixels (default 64).")
  var size: Int?
  @Option(help: "Seed of the shapes, colours and camera directions (default 0).")
  var seed: UInt64?
  @Option(help: "Camera distance from the object's centre (default 4).")
  var radius: Float?
  @Option(help: "Horizontal field of view in radians (camera_angle_x; default 0.6911).")
  var fov: Float?
  @Option(help: "Rays per pixel along each axis (anti-aliasing; alpha is the share that hit; default 2).")
  var samples: Int?

  /// These options over `base` (a configuration file's settings, or the defaults).
  func dataset(over base: ViewDataset = ViewDataset()) -> ViewDataset {
    Self.overlay(base, views: views, size: size, radius: radius, fov: fov, samples: samples)
  }

  /// `base` with the given (non-nil) rendering settings replaced.
  static func overlay(_ base: ViewDataset, views: Int?, size: Int?, radius: Float?, fov: Float?, samples: Int?) -> ViewDataset {
    var d = base
    if let v = views { d.views = v }
    if let v = size { d.size = v }
    if let v = radius { d.radius = v }
    if let v = fov { d.angleX = v }
    if let v = samples { d.samples = v }
    return d
  }

  /// The seed: this option's, else `base` (a configuration file's), else 0.
  func seed(over base: UInt64?) -> UInt64 { seed ?? base ?? 0 }

  /// Rejects rendering settings that cannot work, naming the option.
  static func check(_ d: ViewDataset) throws {
    try Limits.require(Limits.check("--views", d.views, Limits.views), Limits.check("--size", d.size, Limits.viewSize),
                       Limits.check("--samples", d.samples, Limits.raysPerPixelAxis),
                       Limits.checkPositive("--radius", d.radius, max: 1000), Limits.checkPositive("--fov", d.angleX, max: 3.1))
    try Limits.require(Limits.checkMemory(d.views * d.size * d.size * 16, for: "\(d.views) views of \(d.size)x\(d.size)", advice: "render fewer or smaller views"))
    if d.radius <= 1.8 { throw ValidationError("--radius must be above 1.8 (the scaled mesh reaches 1.74 from its centre), got \(d.radius)") }
  }
}
