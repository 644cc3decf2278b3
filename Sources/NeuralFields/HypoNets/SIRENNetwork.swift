import HyperTensor

/// SIREN (Sitzmann et al. 2020): sin(w0 (x W + b)) hidden layers and a linear output layer, on raw
/// coordinates or on a positional encoding [x, cos(2^k pi x), sin(2^k pi x)], k < F.
public struct SIRENNetwork: HypoNetwork {
  public var w0: Float
  public var w0First: Float
  /// Positional-encoding frequency count F (0: raw coordinates).
  public var positionalFrequencies: Int

  public func encodedDim(inputDim: Int) -> Int { inputDim * (1 + 2 * positionalFrequencies) }

  public func encode(_ coords: Tensor) -> Tensor {
    guard positionalFrequencies > 0 else { return coords }
    let f = (0..<positionalFrequencies).map { Float.pi * Float(1 << $0) }
    return Tensor.concat([coords, FourierFeatures.features(coords, frequencies: f)], axis: -1)
  }

  /// Sec. 3.2: first layer U(+-1/fanIn), others U(+-sqrt(6/fanIn)/w0); biases U(+-1/sqrt(fanIn)).
  public func initialLayer(_ k: Int, of count: Int, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) -> LayerWeights {
    let bound = k == 0 ? 1 / Float(fanIn) : (6 / Float(fanIn)).squareRoot() / w0
    return LayerWeights.uniform(fanIn: fanIn, fanOut: fanOut, weightBound: bound, rng: &rng)
  }

  /// One fused GEMM with w0 folded into the weights, then the sine (hidden layers only).
  public func layer(_ k: Int, of count: Int, _ h: Tensor, _ w: LayerWeights) -> Tensor {
    guard k < count - 1 else { return w.applied(to: h) }
    return w.applied(to: h, scale: k == 0 ? w0First : w0).sin()
  }
}
