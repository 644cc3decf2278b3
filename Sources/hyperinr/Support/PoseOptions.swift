import ArgumentParser
import Foundation
import NeuralFields
import Signals

/// The new views of `render` and of `reconstruct` for view models: one pose or a turntable, with depth and
/// opacity maps.
struct PoseOptions: ParsableArguments {
  @Option(help: "Camera: AZ,EL[,R] in degrees (and distance), or 16 comma-separated numbers of a camera-to-world matrix.")
  var pose: String?
  @Option(help: "Render N views at azimuths 0, 360/N, ... instead of one pose.")
  var turntable: Int?
  @Option(help: "Turntable: camera elevation in degrees.")
  var elevation: Float = 30
  @Option(help: "Turntable: views per row of the output (default all in one row up to 12).")
  var columns: Int?
  @Option(help: "Also write the depth map(s) to this PNG (white near, black far or empty).")
  var depth: String?
  @Option(help: "Also write the opacity map(s) to this PNG (white opaque).")
  var opacity: String?

  static let discussion = """
    --pose AZ,EL[,R] places the camera at azimuth AZ and elevation EL (degrees; world up +z, azimuth 0 on +x) \
    at distance R (default: the training cameras' mean distance), looking at the origin; --pose with 16 \
    numbers gives a camera-to-world matrix row by row (x right, y up, z towards the viewer, as in \
    transforms.json). --turntable N renders N views around the object at --elevation, in rows of --columns.
    """

  /// Whether a pose or a turntable was asked for.
  var given: Bool { pose != nil || turntable != nil || depth != nil || opacity != nil || columns != nil }

  func validate() throws {
    if pose != nil && turntable != nil { throw ValidationError("give exactly one of --pose and --turntable") }
    try Limits.require(turntable.flatMap { Limits.check("--turntable", $0, 1...360) }, columns.flatMap { Limits.check("--columns", $0, 1...360) })
    guard elevation.isFinite, abs(elevation) <= 90 else { throw ValidationError("--elevation must be in -90...90 degrees, got \(elevation)") }
    if let pose { _ = try Self.parsePose(pose) }
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

  /// The output and the map files, checked to be new .png files that are not `inputs`.
  func outputs(_ output: String, inputs: [URL]) throws -> [URL] {
    let urls = [output, depth, opacity].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
    for url in urls where url.pathExtension.lowercased() != "png" { throw SignalError(url.path, "renders are written as .png, not '.\(url.pathExtension)'") }
    try OutputPath.check(urls, inputs: inputs)
    return urls
  }

  /// Renders `scene` from the chosen poses (views `size` pixels wide, field of view `fov`, by default the
  /// scene's) and writes the views, and the maps asked for, to `output`; returns a summary.
  func render(_ scene: SceneModel, to output: URL, size: Int?, fov: Float?) throws -> String {
    guard pose != nil || turntable != nil else { throw FitError(description: "give exactly one of --pose and --turntable") }
    let cameras: [PinholeCamera]
    if let turntable {
      cameras = (0..<turntable).map { scene.camera(azimuth: 360 * Float($0) / Float(turntable), elevation: elevation, size: size, angleX: fov) }
    } else {
      switch try Self.parsePose(pose ?? "") {
      case let .orbit(a, e, r): cameras = [scene.camera(azimuth: a, elevation: e, radius: r, size: size, angleX: fov)]
      case let .matrix(m):
        let s = size ?? scene.info.size
        cameras = [PinholeCamera(width: s, height: s, angleX: fov ?? scene.info.angleX, cameraToWorld: m)]
      }
    }
    let start = Date(), printer = ProgressPrinter()
    var views: [RenderedView] = []
    for camera in cameras {
      views.append(scene.render(camera))
      if cameras.count > 1 { printer.update(step: views.count, of: cameras.count, elapsed: Date().timeIntervalSince(start), fields: "rendering") }
    }
    printer.finish()
    let perRow = columns ?? min(views.count, 12)
    try Image.tiled(views.map(\.rgb), columns: perRow).writePNG(output)
    if let depth { try Image.tiled(views.map(\.depthImage), columns: perRow).writePNG(URL(fileURLWithPath: depth)) }
    if let opacity { try Image.tiled(views.map(\.opacityImage), columns: perRow).writePNG(URL(fileURLWithPath: opacity)) }
    let files = [output.path, depth, opacity].compactMap { $0 }.joined(separator: ", ")
    return "\(files): \(views.count) view\(views.count == 1 ? "" : "s") of \(cameras[0].width)x\(cameras[0].height), " +
      String(format: "%.1f s", Date().timeIntervalSince(start))
  }
}
