import Foundation
import HyperNN
import HyperTensor
import Signals

/// A fitted INR as stored in a model file: parameters "layers.k" ([fanIn + 1, fanOut]) plus metadata
/// "hyperinr.format" = "field-v1", "hyperinr.net" (HypoNet JSON) and "hyperinr.signal" (kind, size,
/// channels, sample rate). Decodes at any resolution.
public struct FittedModel {
  public var net: HypoNet
  public var signal: FieldSignal.Info
  /// Packed layers [fanIn + 1, fanOut], as the file stores them.
  public var parameters: [Tensor]
  public var weights: INRWeights { INRWeights(packed: parameters) }

  static let format = "field-v1"

  public init(net: HypoNet, signal: FieldSignal.Info, parameters: [Tensor]) {
    self.net = net
    self.signal = signal
    self.parameters = parameters
  }

  static func metadata(net: HypoNet, signal: FieldSignal.Info) throws -> [String: String] {
    ["hyperinr.format": format,
     "hyperinr.net": try SafeTensors.metadataJSON(net),
     "hyperinr.signal": try SafeTensors.metadataJSON(signal)]
  }

  public static func load(_ url: URL) throws -> FittedModel { try FittedModel(file: SafeTensors.read(url), path: url.path) }

  init(file: SafeTensors.File, path: String, requireLayers: Bool = true) throws {
    if SceneModel.isScene(file) { throw FitError(description: "\(path): holds a scene (a NeRF), not a field; draw its views with `hyperinr render`") }
    guard file.metadata["hyperinr.format"] == Self.format else {
      throw FitError(description: "\(path): not a HyperINR field model (metadata hyperinr.format is \(file.metadata["hyperinr.format"].map { "'\($0)'" } ?? "missing"), expected '\(Self.format)')")
    }
    guard let n = file.metadata["hyperinr.net"].flatMap({ try? JSONDecoder().decode(HypoNet.self, from: Data($0.utf8)) }),
          let s = file.metadata["hyperinr.signal"].flatMap({ try? JSONDecoder().decode(FieldSignal.Info.self, from: Data($0.utf8)) }) else {
      throw FitError(description: "\(path): malformed hyperinr.net or hyperinr.signal metadata")
    }
    if let problem = (n.problems + s.problems(for: n)).first {
      throw FitError(description: "\(path): unusable model metadata: \(problem)")
    }
    net = n
    signal = s
    guard requireLayers else {
      parameters = []
      return
    }
    parameters = try Self.layers(of: n, in: file, path: path)
  }

  /// The packed layers "layers.k" of `net` in a model file, each checked against its shape.
  static func layers(of net: HypoNet, in file: SafeTensors.File, path: String) throws -> [Tensor] {
    try net.layerShapes.enumerated().map { k, shape in
      guard let t = file["layers.\(k)"] else { throw FitError(description: "\(path): missing tensor layers.\(k)") }
      guard t.shape == [shape.0 + 1, shape.1] else {
        throw FitError(description: "\(path): layers.\(k) has shape \(t.shape), expected [\(shape.0 + 1), \(shape.1)]")
      }
      return t
    }
  }

  /// Evaluates a hyponet in chunks of coordinates (bounded memory at any resolution), without gradients:
  /// its prediction (the mean of a probabilistic hyponet).
  public static func evaluate(_ net: HypoNet, _ params: INRWeights, _ coords: Tensor, chunk: Int = 1 << 16) -> Tensor {
    GradMode.withoutGradients {
      let n = coords.shape[0]
      if n <= chunk { return net.split(net(coords, params)).mean }
      var parts: [Tensor] = []
      var s = 0
      while s < n {
        parts.append(net.split(net(coords.slice(axis: 0, s, min(n, s + chunk)), params)).mean)
        s += chunk
      }
      return Tensor.concat(parts, axis: 0)
    }
  }

  /// The image at any resolution (values clamped to [0, 1] when written).
  public func image(height: Int, width: Int) throws -> Image {
    guard signal.kind == .image else { throw FitError(description: "this model holds \(signal.kind), not an image") }
    let out = FittedModel.evaluate(net, weights, CoordinateGrid.image(height: height, width: width))
    return Image(pixels: out.reshaped([height, width, signal.channels]))
  }

  /// The occupancy field's logits on the cell centres of an n^3 grid over [-1, 1]^3 (index x + n (y + n z)).
  public func occupancyLogits(resolution n: Int) throws -> [Float] {
    guard signal.kind == .occupancy else { throw FitError(description: "this model holds \(signal.kind), not an occupancy field") }
    let pts = OccupancySampler.gridPoints(n)
    let coords = Tensor.build([pts.count, 3]) { p, _ in
      for (i, q) in pts.enumerated() { p[3 * i] = q.x; p[3 * i + 1] = q.y; p[3 * i + 2] = q.z }
    }
    return FittedModel.evaluate(net, weights, coords).scalars
  }

  /// The surface (logit 0) as a mesh in the original mesh's units, by marching tetrahedra on an n^3 grid.
  /// The grid's outer layer counts as outside, so the mesh is closed even where the field reaches the box.
  public func mesh(resolution n: Int) throws -> Mesh {
    var logits = try occupancyLogits(resolution: n)
    for z in 0..<n { for y in 0..<n { for x in 0..<n where x == 0 || y == 0 || z == 0 || x == n - 1 || y == n - 1 || z == n - 1 {
      let i = x + n * (y + n * z)
      logits[i] = min(logits[i], -1e-3)
    } } }
    let m = MarchingTetrahedra.extract(logits, resolution: n)
    guard let t = signal.meshTransform, t.count == 4, t[3] != 0 else { return m }
    let centre = SIMD3(t[0], t[1], t[2])
    return Mesh(vertices: m.vertices.map { $0 / t[3] + centre }, triangles: m.triangles)
  }

  /// The audio at any sample rate (same duration as the original).
  public func audio(sampleRate: Int) throws -> Waveform {
    guard signal.kind == .audio else { throw FitError(description: "this model holds \(signal.kind), not audio") }
    let exact = (Double(signal.size[0]) * Double(sampleRate) / Double(signal.sampleRate)).rounded()
    guard exact <= Double(Limits.audioFrames.upperBound) else {
      throw FitError(description: "at \(sampleRate) Hz the clip would have \(Int(exact)) frames, more than \(Limits.audioFrames.upperBound)")
    }
    let frames = max(1, Int(exact))
    let out = FittedModel.evaluate(net, weights, CoordinateGrid.audio(frames: frames))
    return Waveform(samples: out, sampleRate: sampleRate)
  }
}
