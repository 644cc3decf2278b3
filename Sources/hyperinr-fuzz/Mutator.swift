import Foundation
import HyperTensor

/// Seeded byte-level mutations of a valid file, for the replay smoke run: every mutant differs from the
/// input in one to four places, chosen so that headers, lengths and checksums break in the ways fuzzers
/// find first.
enum Mutator {
  static func mutate(_ input: Data, rng: inout RandomGenerator) -> Data {
    var d = [UInt8](input)
    for _ in 0..<(1 + rng.nextInt(below: 4)) {
      guard !d.isEmpty else { d = [UInt8(rng.nextInt(below: 256))]; continue }
      let i = rng.nextInt(below: d.count)
      switch rng.nextInt(below: 6) {
      case 0: d[i] ^= UInt8(1 << rng.nextInt(below: 8))
      case 1: d[i] = [0x00, 0xFF, 0x7F, 0x80][rng.nextInt(below: 4)]
      case 2: for j in i..<min(d.count, i + 4) { d[j] = 0xFF }
      case 3: d.removeSubrange(i...)
      case 4: d.insert(contentsOf: d[i..<min(d.count, i + 1 + rng.nextInt(below: 64))], at: i)
      default: d[i] = UInt8(rng.nextInt(below: 256))
      }
    }
    return Data(d)
  }
}
