import HyperTensor

/// Inverted dropout with its own seeded generator; identity in evaluation mode.
public final class Dropout: Module, Layer, RandomStreamOwner {
  public let probability: Float
  public var rng: RandomGenerator

  public init(_ probability: Float, seed: UInt64) {
    self.probability = probability
    rng = RandomGenerator(seed: seed)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    isTraining && probability > 0 ? x.dropout(probability, rng: &rng) : x
  }
}
