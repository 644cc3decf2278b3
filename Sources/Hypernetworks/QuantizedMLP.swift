import HyperTensor

/// The COIN-style baseline of D'OH's comparisons: a directly fitted MLP whose weights and biases are
/// quantized after training with the same uniform scheme as D'OH's latent (one range per layer).
public enum QuantizedMLP {
  /// The dequantized layers and the stored size in bits (values only; add a small header for a file).
  public static func quantize(_ layers: [Tensor], bits: Int) -> (layers: [Tensor], bits: Int) {
    let out = layers.map { t -> Tensor in
      let q = Quantizer(bits: bits, fitting: t.scalars)
      return Tensor(shape: t.shape, scalars: q.dequantize(q.quantize(t.scalars)))
    }
    return (out, layers.reduce(0) { $0 + $1.count } * bits)
  }
}
