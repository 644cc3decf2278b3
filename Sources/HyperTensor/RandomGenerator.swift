#if canImport(Glibc)
import Glibc
#endif

/// Seeded pseudo-random numbers, identical on every machine: xoshiro256** (Blackman & Vigna 2018) seeded
/// by four SplitMix64 outputs of the seed. Floats use the top 24 bits of a draw; normals use the Box-Muller
/// transform in Double precision, rounded to Float.
public struct RandomGenerator: Sendable, Equatable {
  /// The full generator state (save it in checkpoints to resume a run exactly).
  public var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var x = seed
    func splitmix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitmix(), splitmix(), splitmix(), splitmix())
  }

  public init(state: (UInt64, UInt64, UInt64, UInt64)) { self.state = state }

  public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool {
    a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// Next 64 random bits.
  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = Self.rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = Self.rotl(state.3, 45)
    return result
  }

  /// Uniform in [0, 1) with 24 random bits.
  @inline(__always)
  public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// Uniform in [0, 1) with 53 random bits.
  @inline(__always)
  public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Uniform integer in 0..<bound, unbiased (Lemire's multiply-and-reject).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// A pair of independent standard normals (Box-Muller).
  public mutating func nextNormalPair() -> (Float, Float) {
    let u1 = 1 - nextDouble()  // (0, 1]
    let u2 = nextDouble()
    let r = (-2 * log(u1)).squareRoot()
    let a = 2 * Double.pi * u2
    return (Float(r * cos(a)), Float(r * sin(a)))
  }

  /// A uniformly random permutation of 0..<n (Fisher-Yates, drawing from the end).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(below: i + 1)) }
    return p
  }
}
