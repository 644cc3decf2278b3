import Foundation
import HyperTensor

/// Views of one object with their cameras, in the layout of the NeRF-synthetic and LearnIt ShapeNet data
/// sets: a folder with `transforms.json` ({"camera_angle_x": radians, "frames": [{"file_path": "./r_000",
/// "transform_matrix": 4 x 4 camera-to-world rows}]}) and one PNG per frame, named by the file path's last
/// component plus ".png" beside the JSON (as the LearnIt loaders read it). Views are square RGBA.
public struct MultiViewScene {
  public var cameras: [PinholeCamera]
  public var views: [Image]

  public init(cameras: [PinholeCamera], views: [Image]) {
    precondition(cameras.count == views.count, "one camera per view")
    self.cameras = cameras
    self.views = views
  }

  private struct Transforms: Codable {
    var cameraAngleX: Float?
    var frames: [Frame]?
    enum CodingKeys: String, CodingKey { case cameraAngleX = "camera_angle_x", frames }
  }

  private struct Frame: Codable {
    var filePath: String?
    var transformMatrix: [[Float]]?
    enum CodingKeys: String, CodingKey { case filePath = "file_path", transformMatrix = "transform_matrix" }
  }

  /// The file name of view i.
  public static func viewName(_ i: Int) -> String { String(format: "r_%03d", i) }

  /// Writes the views and transforms.json into `folder`, which must not exist yet, as a `StagedFolder`.
  public func write(to folder: URL) throws {
    try StagedFolder.create(folder) { staging in
      var frames: [Frame] = []
      for (i, (camera, view)) in zip(cameras, views).enumerated() {
        try view.writePNG(staging.appendingPathComponent(Self.viewName(i) + ".png"))
        frames.append(Frame(filePath: "./" + Self.viewName(i), transformMatrix: camera.cameraToWorld.map { [$0.x, $0.y, $0.z, $0.w] }))
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let json = try encoder.encode(Transforms(cameraAngleX: cameras.first?.angleX ?? 0, frames: frames))
      try json.write(to: staging.appendingPathComponent("transforms.json"))
    }
  }

  /// Reads a folder written by `write` (or a NeRF-synthetic / LearnIt object folder). Every field is
  /// checked: one error names the file and what was expected.
  public static func load(_ folder: URL) throws -> MultiViewScene {
    let jsonURL = folder.appendingPathComponent("transforms.json")
    let data = try FileContents.read(jsonURL)
    let t: Transforms
    do { t = try JSONDecoder().decode(Transforms.self, from: data) } catch {
      throw SignalError(jsonURL.path, "is not a transforms.json object (expected {\"camera_angle_x\": ..., \"frames\": [...]})")
    }
    guard let angle = t.cameraAngleX else { throw SignalError(jsonURL.path, "lacks camera_angle_x (the horizontal field of view in radians)") }
    guard angle.isFinite, angle > 0, angle < .pi else { throw SignalError(jsonURL.path, "camera_angle_x must be in (0, pi) radians, got \(angle)") }
    guard let frames = t.frames, !frames.isEmpty else { throw SignalError(jsonURL.path, "has no frames") }
    var cameras: [PinholeCamera] = [], views: [Image] = []
    for (i, f) in frames.enumerated() {
      guard let path = f.filePath, !path.isEmpty else { throw SignalError(jsonURL.path, "frame \(i) lacks file_path") }
      guard let m = f.transformMatrix else { throw SignalError(jsonURL.path, "frame \(i) lacks transform_matrix") }
      guard m.count == 4, m.allSatisfy({ $0.count == 4 }), m.joined().allSatisfy(\.isFinite) else {
        throw SignalError(jsonURL.path, "frame \(i): transform_matrix must be 4 x 4 finite numbers, got \(m.count) rows of \(m.map(\.count))")
      }
      let name = (path as NSString).lastPathComponent
      let imageURL = folder.appendingPathComponent(name.hasSuffix(".png") ? name : name + ".png")
      let view = try Image.load(imageURL)
      guard view.width == view.height else { throw SignalError(imageURL.path, "views must be square, got \(view.width)x\(view.height)") }
      if let first = views.first, first.width != view.width {
        throw SignalError(imageURL.path, "is \(view.width)x\(view.height) but the first view is \(first.width)x\(first.height)")
      }
      views.append(view)
      cameras.append(PinholeCamera(width: view.width, height: view.height, angleX: angle,
                                   cameraToWorld: m.map { SIMD4($0[0], $0[1], $0[2], $0[3]) }))
    }
    return MultiViewScene(cameras: cameras, views: views)
  }
}
