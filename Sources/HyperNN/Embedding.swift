import HyperTensor

/// A lookup table of `count` vectors of size `dim` (initialised N(0, 1), as PyTorch's).
public final class Embedding: Module {
  public let weight: Parameter

  public init(_ count: Int, _ dim: Int, rng: inout RandomGenerator) {
    weight = Parameter(Tensor.normal([count, dim], rng: &rng))
    super.init()
    register("weight", weight)
  }

  /// Rows `indices` of the table: shape [indices.count, dim].
  public func callAsFunction(_ indices: [Int]) -> Tensor { weight.value.gather(axis: 0, indices: indices) }
}
