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
    precondition(zip(cameras, views).allSatisfy { $0.width == $1.width && $0.height == $1.height && $0.angleX == cameras[0].angleX },
                 "views must match their cameras' sizes, and the cameras share one field of view")
    self.cameras = cameras
    self.views = views
  }

  private struct Transforms: Codable {
    var cameraAngleX: Float?
    var frames: [Frame]?
    /// A single camera's file has its matrix at the top level instead of frames.
    var transformMatrix: [[Float]]?
    enum CodingKeys: String, CodingKey { case cameraAngleX = "camera_angle_x", frames, transformMatrix = "transform_matrix" }
  }

  private struct Frame: Codable {
    var filePath: String?
    var transformMatrix: [[Float]]?
    enum CodingKeys: String, CodingKey { case filePath = "file_path", transformMatrix = "transform_matrix" }
  }

  /// The most views a scene may have.
  public static let frameLimit = 10_000

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

  /// The checked contents of a transforms.json: the field of view and, per frame, its image file and
  /// camera-to-world rows.
  public struct Index {
    public var angleX: Float
    public var frames: [(image: URL, cameraToWorld: [SIMD4<Float>])]
  }

  /// Reads and checks `folder`/transforms.json (not the images): one error names the file and what was
  /// expected. Frame images are looked up by the last component of file_path (plus ".png") in the folder
  /// (its directories are ignored; a symbolic link there is followed, as for any input file).
  public static func index(_ folder: URL) throws -> Index {
    let jsonURL = folder.appendingPathComponent("transforms.json")
    let (t, angle) = try transforms(jsonURL)
    guard let frames = t.frames, !frames.isEmpty else { throw SignalError(jsonURL.path, "has no frames") }
    guard frames.count <= frameLimit else { throw SignalError(jsonURL.path, "has \(frames.count) frames, more than the \(frameLimit) a scene may have") }
    return Index(angleX: angle, frames: try frames.enumerated().map { i, f in
      guard let path = f.filePath, !path.isEmpty else { throw SignalError(jsonURL.path, "frame \(i) lacks file_path") }
      let rows = try cameraToWorld(f.transformMatrix, of: "frame \(i)", in: jsonURL)
      let name = (path as NSString).lastPathComponent
      guard name != "..", name != "." else { throw SignalError(jsonURL.path, "frame \(i): file_path '\(path)' names no file") }
      return (folder.appendingPathComponent(name.hasSuffix(".png") ? name : name + ".png"), rows)
    })
  }

  /// A transforms.json (or single-camera JSON) and its checked field of view.
  private static func transforms(_ jsonURL: URL) throws -> (Transforms, Float) {
    let data = try FileContents.read(jsonURL)
    let t: Transforms
    do { t = try JSONDecoder().decode(Transforms.self, from: data) } catch {
      throw SignalError(jsonURL.path, "is not a transforms.json object (expected {\"camera_angle_x\": ..., \"frames\": [...]})")
    }
    guard let angle = t.cameraAngleX else { throw SignalError(jsonURL.path, "lacks camera_angle_x (the horizontal field of view in radians)") }
    guard angle.isFinite, angle > 0, angle < .pi else { throw SignalError(jsonURL.path, "camera_angle_x must be in (0, pi) radians, got \(angle)") }
    return (t, angle)
  }

  /// The checked rows of a transform_matrix (`what` names it in errors).
  private static func cameraToWorld(_ m: [[Float]]?, of what: String, in jsonURL: URL) throws -> [SIMD4<Float>] {
    guard let m else { throw SignalError(jsonURL.path, "\(what) lacks transform_matrix") }
    guard m.count == 4, m.allSatisfy({ $0.count == 4 }), m.joined().allSatisfy(\.isFinite) else {
      throw SignalError(jsonURL.path, "\(what): transform_matrix must be 4 x 4 finite numbers, got \(m.count) rows of \(m.prefix(4).map(\.count))\(m.count > 4 ? "..." : "")")
    }
    let rows = m.map { SIMD4($0[0], $0[1], $0[2], $0[3]) }
    guard PinholeCamera.isRigid(rows) else {
      throw SignalError(jsonURL.path, "\(what): transform_matrix is not a camera-to-world matrix (a rotation and a translation, last row 0 0 0 1)")
    }
    return rows
  }

  /// The camera of one view of `width` x `height` from a JSON file: {"camera_angle_x", "transform_matrix"},
  /// or a transforms.json whose frame for the view is the one whose file_path names `view` (its file name
  /// without extension).
  public static func camera(json jsonURL: URL, view: URL, width: Int, height: Int) throws -> PinholeCamera {
    let (t, angle) = try transforms(jsonURL)
    let rows: [SIMD4<Float>]
    if let frames = t.frames {
      let stem = view.deletingPathExtension().lastPathComponent
      guard let f = frames.first(where: { (($0.filePath ?? "") as NSString).lastPathComponent.replacingOccurrences(of: ".png", with: "") == stem }) else {
        throw SignalError(jsonURL.path, "has no frame whose file_path names \(stem) (the view \(view.lastPathComponent))")
      }
      rows = try cameraToWorld(f.transformMatrix, of: "the frame of \(stem)", in: jsonURL)
    } else {
      rows = try cameraToWorld(t.transformMatrix, of: "the camera", in: jsonURL)
    }
    return PinholeCamera(width: width, height: height, angleX: angle, cameraToWorld: rows)
  }

  /// Reads a folder written by `write` (or a NeRF-synthetic / LearnIt object folder): `index`, then every
  /// view, which must be square and all of one size; with `background` the views are composited over it
  /// (grey views become RGB), else kept as they are.
  public static func load(_ folder: URL, background: Float? = nil) throws -> MultiViewScene {
    let index = try Self.index(folder)
    var cameras: [PinholeCamera] = [], views: [Image] = []
    for (imageURL, matrix) in index.frames {
      var view = try Image.load(imageURL, alpha: background.map { .composite(background: $0) } ?? .keep)
      if background != nil && view.channels == 1 { view = view.rgb }
      guard view.width == view.height else { throw SignalError(imageURL.path, "views must be square, got \(view.width)x\(view.height)") }
      if let first = views.first, first.width != view.width || first.channels != view.channels {
        throw SignalError(imageURL.path, "is \(view.width)x\(view.height) with \(view.channels) channels but the first view is \(first.width)x\(first.height) with \(first.channels)")
      } else if views.isEmpty, let p = EnvironmentSettings.memoryProblem(index.frames.count * view.pixels.count * 4, for: "loading \(index.frames.count) views of \(view.width)x\(view.height)",
                                                           advice: "use fewer or smaller views") {
        throw SignalError(folder.path, p)
      }
      views.append(view)
      cameras.append(PinholeCamera(width: view.width, height: view.height, angleX: index.angleX, cameraToWorld: matrix))
    }
    return MultiViewScene(cameras: cameras, views: views)
  }
}
