import Foundation
import HyperTensor

/// The ReLU MLP on Fourier features of Trans-INR and IPC: features [cos(pi f x), sin(pi f x)] per
/// coordinate with F frequencies f = exp(linspace(0, ln sigma, F)), ReLU hidden layers, linear output.
/// Without the factor pi (`timesPi` false) it is NeRF's MLP on its positional encoding (Eq. 4).
public struct FourierReLUNetwork: HypoNetwork {
  public var frequencies: Int
  public var sigma: Float
  public var timesPi = true

  public func encodedDim(inputDim: Int) -> Int { 2 * inputDim * frequencies }

  public func encode(_ coords: Tensor) -> Tensor {
    let scale = timesPi ? Float.pi : 1
    let f = (0..<frequencies).map { k -> Float in
      let e = frequencies == 1 ? 0 : Foundation.log(Double(sigma)) * Double(k) / Double(frequencies - 1)
      return scale * Float(Foundation.exp(e))
    }
    return FourierFeatures.features(coords, frequencies: f)
  }

  /// PyTorch's default Linear init: weights and biases U(+-1/sqrt(fanIn)).
  public func initialLayer(_ k: Int, of count: Int, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) -> LayerWeights {
    LayerWeights.uniform(fanIn: fanIn, fanOut: fanOut, weightBound: 1 / Float(fanIn).squareRoot(), rng: &rng)
  }

  /// One fused GEMM with the ReLU in its epilogue (hidden layers).
  public func layer(_ k: Int, of count: Int, _ h: Tensor, _ w: LayerWeights) -> Tensor {
    w.applied(to: h, relu: k < count - 1)
  }
}

/// Sinusoidal features of coordinates.
enum FourierFeatures {
  /// [..., D] -> [..., 2 D F]: per coordinate the F cosines, then the F sines, of `frequencies` times it.
  static func features(_ x: Tensor, frequencies f: [Float]) -> Tensor {
    let d = x.shape[x.rank - 1], lead = Array(x.shape.dropLast())
    let angles = x.reshaped(lead + [d, 1]) * Tensor(shape: [d, f.count], scalars: (0..<d).flatMap { _ in f })
    return Tensor.concat([angles.cos(), angles.sin()], axis: -1).reshaped(lead + [2 * d * f.count])
  }
}

extension LayerWeights {
  /// W ~ U(+-weightBound) [fanIn, fanOut], then b ~ U(+-1/sqrt(fanIn)) [1, fanOut] (drawn in that order).
  static func uniform(fanIn: Int, fanOut: Int, weightBound: Float, rng: inout RandomGenerator) -> LayerWeights {
    let w = Tensor.uniform([fanIn, fanOut], low: -weightBound, high: weightBound, rng: &rng)
    let bb = 1 / Float(fanIn).squareRoot()
    return LayerWeights(weight: w, bias: Tensor.uniform([1, fanOut], low: -bb, high: bb, rng: &rng))
  }
}
