import Foundation
import HyperNN
import HyperTensor
import Signals

/// A NeRF fitted to one scene, as stored in a model file: parameters "layers.k" ([fanIn + 1, fanOut]) plus
/// metadata "hyperinr.format" = "scene-v1", "hyperinr.net" (HypoNet JSON, 3 -> 4) and "hyperinr.scene"
/// (`SceneModel.Info`: rendering and the training cameras' field of view, view size and distance, the
/// defaults of new views). Renders from any camera.
public struct SceneModel {
  /// What a scene model knows besides its weights.
  public struct Info: Codable, Equatable, Sendable {
    public var rendering: SceneRendering
    /// The training views' horizontal field of view (radians) and side in pixels.
    public var angleX: Float
    public var size: Int
    /// The training cameras' mean distance from the world origin.
    public var radius: Float

    public init(rendering: SceneRendering, angleX: Float, size: Int, radius: Float) {
      self.rendering = rendering
      self.angleX = angleX
      self.size = size
      self.radius = radius
    }

    /// The info of a scene's training views.
    public init(scene: MultiViewScene, rendering: SceneRendering) {
      let c = scene.cameras
      self.init(rendering: rendering, angleX: c[0].angleX, size: c[0].width,
                radius: c.map { ($0.position * $0.position).sum().squareRoot() }.reduce(0, +) / Float(c.count))
    }

    /// Values no scene can have, as "scene.FIELD ..." lines (empty when usable).
    public var problems: [String] {
      rendering.problems(prefix: "scene.rendering.") + [
        angleX.isFinite && angleX > 0 && angleX < .pi ? nil : "scene.angleX must be in (0, pi) radians, got \(angleX)",
        Limits.check("scene.size", size, Limits.viewSize),
        Limits.checkPositive("scene.radius", radius, max: 1e6)].compactMap { $0 }
    }
  }

  public var net: HypoNet
  public var info: Info
  /// Packed layers [fanIn + 1, fanOut], as the file stores them.
  public var parameters: [Tensor]
  public var weights: INRWeights { INRWeights(packed: parameters) }

  static let format = "scene-v1"

  public init(net: HypoNet, info: Info, parameters: [Tensor]) {
    self.net = net
    self.info = info
    self.parameters = parameters
  }

  static func metadata(net: HypoNet, info: Info) throws -> [String: String] {
    ["hyperinr.format": format, "hyperinr.net": try SafeTensors.metadataJSON(net), "hyperinr.scene": try SafeTensors.metadataJSON(info)]
  }

  /// Whether a model file holds a scene (else, say, a field of `FittedModel`).
  public static func isScene(_ file: SafeTensors.File) -> Bool { file.metadata["hyperinr.format"] == format }

  public static func load(_ url: URL) throws -> SceneModel { try SceneModel(file: SafeTensors.read(url), path: url.path) }

  init(file: SafeTensors.File, path: String) throws {
    guard Self.isScene(file) else {
      throw FitError(description: "\(path): not a HyperINR scene model (metadata hyperinr.format is \(file.metadata["hyperinr.format"].map { "'\($0)'" } ?? "missing"), expected '\(Self.format)'; fit one with `hyperinr fit VIEWS_FOLDER`)")
    }
    guard let n = file.metadata["hyperinr.net"].flatMap({ try? JSONDecoder().decode(HypoNet.self, from: Data($0.utf8)) }),
          let s = file.metadata["hyperinr.scene"].flatMap({ try? JSONDecoder().decode(Info.self, from: Data($0.utf8)) }) else {
      throw FitError(description: "\(path): malformed hyperinr.net or hyperinr.scene metadata")
    }
    let shape = n.inputDim == 3 && n.outputDim == 4 && !n.isProbabilistic ? nil : "net must map 3-D points to 4 outputs (rgb logits, density), got \(n.inputDim) -> \(n.outputDim)\(n.isProbabilistic ? ", probabilistic" : "")"
    if let problem = (n.problems + s.problems + [shape].compactMap { $0 }).first {
      throw FitError(description: "\(path): unusable model metadata: \(problem)")
    }
    net = n
    info = s
    parameters = try FittedModel.layers(of: n, in: file, path: path)
  }

  /// A camera at the training distance and field of view (or `size`, `angleX`, `radius`), looking at the
  /// origin from azimuth and elevation in degrees (world up +z; azimuth 0 on +x, 90 on +y).
  public func camera(azimuth: Float, elevation: Float, radius: Float? = nil, size: Int? = nil, angleX: Float? = nil) -> PinholeCamera {
    let a = azimuth * .pi / 180, e = elevation * .pi / 180, r = radius ?? info.radius
    let eye = r * SIMD3<Float>(Foundation.cos(e) * Foundation.cos(a), Foundation.cos(e) * Foundation.sin(a), Foundation.sin(e))
    let s = size ?? info.size
    return PinholeCamera(width: s, height: s, angleX: angleX ?? info.angleX, cameraToWorld: PinholeCamera.lookAt(eye: eye))
  }

  /// The view from `camera`.
  public func render(_ camera: PinholeCamera) -> RenderedView { info.rendering.view(net, weights, camera: camera) }
}
