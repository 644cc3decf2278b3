/// Post-training uniform quantization (D'OH Sec. 4, Supplementary 2.0.1): values are mapped affinely from
/// [min, max] of the group onto the integers 0 ... 2^bits - 1 and rounded to nearest; dequantization is
/// min + q (max - min) / (2^bits - 1). One range per group (the latent code; all biases).
public struct Quantizer: Equatable, Sendable {
  public let bits: Int
  public let minimum: Float, maximum: Float

  public static let supportedBits = [4, 5, 6, 8, 16]

  public init(bits: Int, minimum: Float, maximum: Float) {
    self.bits = bits
    self.minimum = minimum
    self.maximum = maximum
  }

  /// The range of `values`.
  public init(bits: Int, fitting values: [Float]) {
    self.init(bits: bits, minimum: values.min() ?? 0, maximum: values.max() ?? 0)
  }

  var levels: Float { Float((1 << bits) - 1) }
  var step: Float { maximum > minimum ? (maximum - minimum) / levels : 0 }

  public func quantize(_ values: [Float]) -> [UInt32] {
    guard maximum > minimum else { return values.map { _ in 0 } }
    return values.map { UInt32(min(max(((($0 - minimum) / (maximum - minimum)) * levels).rounded(), 0), levels)) }
  }

  public func dequantize(_ q: [UInt32]) -> [Float] { q.map { minimum + Float($0) * step } }
}

/// MSB-first packing of fixed-width unsigned integers.
enum BitPacker {
  static func pack(_ values: [UInt32], bits: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (values.count * bits + 7) / 8)
    var pos = 0
    for v in values {
      for b in stride(from: bits - 1, through: 0, by: -1) {
        if (v >> UInt32(b)) & 1 == 1 { out[pos >> 3] |= UInt8(0x80 >> (pos & 7)) }
        pos += 1
      }
    }
    return out
  }

  static func unpack(_ bytes: ArraySlice<UInt8>, count: Int, bits: Int) -> [UInt32] {
    var out = [UInt32](repeating: 0, count: count)
    var pos = 0
    let base = bytes.startIndex
    for i in 0..<count {
      var v: UInt32 = 0
      for _ in 0..<bits {
        v = v << 1 | UInt32((bytes[base + (pos >> 3)] >> (7 - UInt8(pos & 7))) & 1)
        pos += 1
      }
      out[i] = v
    }
    return out
  }
}
