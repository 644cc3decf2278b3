import HyperTensor

/// The COIN-style baseline of D'OH's comparisons: a directly fitted MLP whose weights and biases are
/// quantized after training with the same uniform scheme as D'OH's latent (one range per layer).
public enum QuantizedMLP {
  /// The dequantized layers and the size of a file that would store them as D'OH stores its latent: the
  /// `.hinr` header and CRC, two Float32 range ends per layer, and the bit-packed codes deflated.
  public static func quantize(_ layers: [Tensor], bits: Int) -> (layers: [Tensor], bytes: Int) {
    var codes: [UInt32] = []
    let out = layers.map { t -> Tensor in
      let q = Quantizer(bits: bits, fitting: t.scalars)
      let c = q.quantize(t.scalars)
      codes += c
      return Tensor(shape: t.shape, scalars: q.dequantize(c))
    }
    let payload = Deflate.compress(BitPacker.pack(codes, bits: bits))
    return (out, CompressedField.headerBytes + 4 + 8 * layers.count + payload.count)
  }
}
