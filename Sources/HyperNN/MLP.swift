import HyperTensor

/// A stack of Linear layers ("layers.0", "layers.1", ...) with an activation between them and an
/// optional one after the last.
public final class MLP: Module, Layer {
  public let layers: [Linear]
  public let activation: Activation, outputActivation: Activation

  /// `sizes` = [in, hidden..., out].
  public init(_ sizes: [Int], activation: Activation = .relu, outputActivation: Activation = .identity,
              rng: inout RandomGenerator) {
    precondition(sizes.count >= 2, "MLP needs at least input and output sizes")
    var ls: [Linear] = []
    for i in 0..<(sizes.count - 1) { ls.append(Linear(sizes[i], sizes[i + 1], rng: &rng)) }
    layers = ls
    self.activation = activation
    self.outputActivation = outputActivation
    super.init()
    let container = Module()
    for (i, l) in ls.enumerated() { container.register(String(i), l) }
    register("layers", container)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    var h = x
    for (i, l) in layers.enumerated() {
      let act = i < layers.count - 1 ? activation : outputActivation
      h = act == .relu ? l(h, relu: true) : act(l(h))
    }
    return h
  }
}
