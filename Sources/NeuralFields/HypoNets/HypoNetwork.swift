import HyperTensor

/// One INR architecture as a functional network: how coordinates are encoded, how each layer is
/// initialised and applied to weights given from outside (a hypernetwork's output). The layers can be run
/// one at a time (`HypoNet.layer`), so a dynamic hypernetwork can generate layer k from layer k - 1's
/// activations. A new architecture is one conforming type plus one case of `HypoNet.Kind`.
public protocol HypoNetwork: Sendable {
  /// Width of the first layer's input for `inputDim`-D coordinates.
  func encodedDim(inputDim: Int) -> Int
  /// Coordinates [..., D] -> the first layer's input [..., encodedDim].
  func encode(_ coords: Tensor) -> Tensor
  /// Initial weights of layer k of `count` with the given fan-in and fan-out.
  func initialLayer(_ k: Int, of count: Int, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) -> LayerWeights
  /// Layer k of `count` applied to h [..., fanIn] (or [B, N, fanIn]), its activation included.
  func layer(_ k: Int, of count: Int, _ h: Tensor, _ w: LayerWeights) -> Tensor
}
