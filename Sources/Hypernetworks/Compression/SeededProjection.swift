import HyperTensor

/// A fixed random matrix regenerated from an integer seed, identically on every machine and in every
/// later version (the algorithm is pinned by a test vector):
/// row r of the matrix for layer l draws from `RandomGenerator(seed: mix(seed, l, r))` — xoshiro256**
/// seeded by SplitMix64 — where mix(s, l, r) = splitmix64(splitmix64(s ^ 0x5851F42D4C957F2D + l) + r);
/// entry (r, c) is scale * (2 u - 1) with u the c-th draw's top 24 bits / 2^24.
/// Rows are independent streams, so any block of rows is regenerated without the others.
public struct SeededProjection: Sendable, Equatable {
  public let seed: UInt64
  public let layer: Int
  public let rows: Int, columns: Int
  /// Entries are uniform in [-scale, scale].
  public let scale: Float

  public init(seed: UInt64, layer: Int, rows: Int, columns: Int, scale: Float) {
    self.seed = seed
    self.layer = layer
    self.rows = rows
    self.columns = columns
    self.scale = scale
  }

  static func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The seed of row `r`'s stream.
  public func rowSeed(_ r: Int) -> UInt64 {
    Self.splitmix64(Self.splitmix64(seed ^ 0x5851_F42D_4C95_7F2D &+ UInt64(layer)) &+ UInt64(r))
  }

  /// Rows `range` as a [range.count, columns] tensor (filled in parallel).
  public func rows(_ range: Range<Int>) -> Tensor {
    Tensor.build([range.count, columns]) { p, _ in
      Parallel.forEach(range.count) { i in
        var g = RandomGenerator(seed: rowSeed(range.lowerBound + i))
        let row = p + i * columns
        for c in 0..<columns { row[c] = scale * (2 * g.nextFloat() - 1) }
      }
    }
  }

  /// The whole matrix [rows, columns].
  public func matrix() -> Tensor { rows(0..<rows) }

  /// Bytes the whole matrix takes in memory.
  public var byteCount: Int { rows * columns * 4 }
}
