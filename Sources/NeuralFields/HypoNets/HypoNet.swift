import Foundation
import HyperNN
import HyperTensor

/// The INR architectures of the project, as functional networks ("hyponets") that take their weights as
/// arguments: layer k is a matrix [fanIn + 1, fanOut] whose last row is the bias, optionally batched
/// [B, fanIn + 1, fanOut] (one INR per instance) — the layout hypernetworks produce.
public struct HypoNet: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// SIREN (Sitzmann et al. 2020): sin(w0 (W x + b)) hidden layers, linear output.
    case siren
    /// ReLU MLP on Fourier features [cos(pi f x), sin(pi f x)], f = exp(linspace(0, ln sigma, F)).
    case fourier
  }

  public var kind: Kind
  public var inputDim: Int
  public var outputDim: Int
  /// Number of hidden layers and their width.
  public var hiddenLayers: Int
  public var width: Int
  /// SIREN frequency of hidden layers and of the first layer.
  public var w0: Float
  public var w0First: Float
  /// Fourier features: frequency count F and largest frequency sigma.
  public var frequencies: Int
  public var sigma: Float
  /// Added to the output (e.g. 0.5 for [0, 1] images).
  public var outputBias: Float
  /// Applied to the last layer's output before `outputBias` (nil: identity).
  public var outputActivation: Activation?
  /// SIREN only: positional encoding of the input with frequencies 2^k pi, k < F, as [x, cos, sin]
  /// (nil or 0: raw coordinates).
  public var positionalFrequencies: Int?

  public init(kind: Kind, inputDim: Int, outputDim: Int, hiddenLayers: Int, width: Int, w0: Float = 30,
              w0First: Float = 30, frequencies: Int = 64, sigma: Float = 128, outputBias: Float = 0,
              outputActivation: Activation? = nil, positionalFrequencies: Int? = nil) {
    self.kind = kind
    self.inputDim = inputDim
    self.outputDim = outputDim
    self.hiddenLayers = hiddenLayers
    self.width = width
    self.w0 = w0
    self.w0First = w0First
    self.frequencies = frequencies
    self.sigma = sigma
    self.outputBias = outputBias
    self.outputActivation = outputActivation
    self.positionalFrequencies = positionalFrequencies
  }

  /// Width of the first layer's input.
  public var encodedDim: Int {
    kind == .fourier ? 2 * inputDim * frequencies : inputDim * (1 + 2 * (positionalFrequencies ?? 0))
  }

  /// (fanIn, fanOut) of each layer.
  public var layerShapes: [(Int, Int)] {
    var dims = [encodedDim] + Array(repeating: width, count: hiddenLayers) + [outputDim]
    if hiddenLayers == 0 { dims = [encodedDim, outputDim] }
    return (0..<(dims.count - 1)).map { (dims[$0], dims[$0 + 1]) }
  }

  /// Number of parameters (weights and biases).
  public var parameterCount: Int { layerShapes.reduce(0) { $0 + ($1.0 + 1) * $1.1 } }

  /// Initial parameters. SIREN (Sitzmann et al. 2020, Sec. 3.2): first layer U(+-1/fanIn), others
  /// U(+-sqrt(6/fanIn)/w0); Fourier MLP: PyTorch's default U(+-1/sqrt(fanIn)). Biases U(+-1/sqrt(fanIn)).
  public func initialParameters(rng: inout RandomGenerator) -> [Tensor] {
    layerShapes.enumerated().map { k, s in
      let (fanIn, fanOut) = s
      let bound: Float
      switch kind {
      case .siren: bound = k == 0 ? 1 / Float(fanIn) : (6 / Float(fanIn)).squareRoot() / w0
      case .fourier: bound = 1 / Float(fanIn).squareRoot()
      }
      let w = Tensor.uniform([fanIn, fanOut], low: -bound, high: bound, rng: &rng)
      let bb = 1 / Float(fanIn).squareRoot()
      let b = Tensor.uniform([1, fanOut], low: -bb, high: bb, rng: &rng)
      return Tensor.concat([w, b], axis: 0)
    }
  }

  /// The Fourier features of coordinates [..., D] -> [..., 2 D F] (grouped per coordinate: F cosines,
  /// then F sines).
  /// (SIREN with `positionalFrequencies` F: [x, cos(2^k pi x), sin(2^k pi x)].)
  public func encode(_ x: Tensor) -> Tensor {
    let d = inputDim, lead = Array(x.shape.dropLast())
    func features(_ freqs: [Float], perCoordinate f: Int) -> Tensor {
      let angles = x.reshaped(lead + [d, 1]) * Tensor(shape: [d, f], scalars: (0..<d).flatMap { _ in freqs })
      return Tensor.concat([angles.cos(), angles.sin()], axis: -1).reshaped(lead + [2 * d * f])
    }
    switch kind {
    case .fourier:
      let f = frequencies
      let freqs = (0..<f).map { k -> Float in
        let e = f == 1 ? 0 : Foundation.log(Double(sigma)) * Double(k) / Double(f - 1)
        return Float.pi * Float(Foundation.exp(e))
      }
      return features(freqs, perCoordinate: f)
    case .siren:
      guard let f = positionalFrequencies, f > 0 else { return x }
      return Tensor.concat([x, features((0..<f).map { Float.pi * Float(1 << $0) }, perCoordinate: f)], axis: -1)
    }
  }

  /// Evaluates the INR at coordinates [N, D] (shared) or [B, N, D] with parameters [fanIn + 1, fanOut]
  /// (one INR) or [B, fanIn + 1, fanOut] (a batch): y = act(last layer) + outputBias. Returns [N, out] or
  /// [B, N, out].
  public func callAsFunction(_ coords: Tensor, _ params: [Tensor]) -> Tensor {
    precondition(params.count == layerShapes.count, "hyponet needs \(layerShapes.count) layers, got \(params.count)")
    precondition(coords.shape.last == inputDim, "hyponet expects \(inputDim)-D coordinates, got \(coords.shape)")
    var h = encode(coords)
    for (k, p) in params.enumerated() {
      let (fanIn, fanOut) = layerShapes[k]
      precondition(Array(p.shape.suffix(2)) == [fanIn + 1, fanOut], "layer \(k) must be [\(fanIn + 1), \(fanOut)], got \(p.shape)")
      let last = k == params.count - 1
      let scale: Float = kind == .siren && !last ? (k == 0 ? w0First : w0) : 1
      // One fused GEMM (+ bias, + ReLU) per layer, for one INR or a batch of them ([B, fanIn + 1, fanOut]),
      // with w0 folded into the weights (sin(w0 (Wx + b))).
      let axis = p.rank - 2
      let w = p.slice(axis: axis, 0, fanIn), b = p.slice(axis: axis, fanIn, fanIn + 1)
      let ws = scale == 1 ? w : w * scale, bs = scale == 1 ? b : b * scale
      h = h.linear(weight: ws, bias: p.rank == 2 ? bs.reshaped([fanOut]) : bs, relu: kind == .fourier && !last,
                   weightIsInOut: true)
      if kind == .siren && !last { h = h.sin() }
    }
    if let act = outputActivation { h = act(h) }
    return outputBias == 0 ? h : h + outputBias
  }
}
