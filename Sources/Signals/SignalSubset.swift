import HyperTensor

/// Some items of a signal set, in the given order (a training split with its validation items removed,
/// or the validation split itself).
public struct SignalSubset: SignalSet {
  public let base: any SignalSet
  public let indices: [Int]

  public init(_ base: any SignalSet, indices: [Int]) {
    precondition(indices.allSatisfy { base.count > $0 && $0 >= 0 }, "subset indices out of range")
    self.base = base
    self.indices = indices
  }

  public var count: Int { indices.count }

  public func batch(_ items: [Int], seed: UInt64) throws -> Tensor { try base.batch(items.map { indices[$0] }, seed: seed) }

  /// A seeded split of `set`: `held` items (a random choice) and the others, each in their original order.
  public static func split(_ set: any SignalSet, holdingOut held: Int, seed: UInt64) -> (kept: SignalSubset, held: SignalSubset) {
    var rng = RandomGenerator(seed: seed)
    let out = Set(rng.permutation(set.count).prefix(held))
    let all = Array(0..<set.count)
    return (SignalSubset(set, indices: all.filter { !out.contains($0) }), SignalSubset(set, indices: all.filter(out.contains)))
  }
}
