import HyperTensor

/// One pre-LayerNorm transformer block (Xiong et al. 2020): x + Attn(LN(x)), then x + MLP(LN(x)) with a
/// GELU feed-forward of width `mlpRatio * dim`. Names follow timm: norm1, attn, norm2, mlp.fc1, mlp.fc2.
public final class TransformerEncoderLayer: Module, Layer {
  public let norm1: LayerNorm, attn: MultiHeadAttention, norm2: LayerNorm
  public let fc1: Linear, fc2: Linear
  public let dropout: Dropout

  public init(dim: Int, heads: Int, mlpRatio: Int = 4, dropout p: Float = 0, eps: Float = 1e-5,
              rng: inout RandomGenerator) {
    norm1 = LayerNorm(dim, eps: eps)
    attn = MultiHeadAttention(dim: dim, heads: heads, rng: &rng)
    norm2 = LayerNorm(dim, eps: eps)
    fc1 = Linear(dim, mlpRatio * dim, rng: &rng)
    fc2 = Linear(mlpRatio * dim, dim, rng: &rng)
    dropout = Dropout(p, seed: rng.next())
    super.init()
    register("norm1", norm1)
    register("attn", attn)
    register("norm2", norm2)
    let mlp = Module()
    mlp.register("fc1", fc1)
    mlp.register("fc2", fc2)
    register("mlp", mlp)
    register("dropout", dropout)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, outputs: nil) }

  /// The block's output at the tokens in `outputs` only (all when nil): every token is attended to, but
  /// the query, residual and MLP work of the other rows is skipped.
  public func callAsFunction(_ x: Tensor, outputs: Range<Int>?) -> Tensor {
    let kept = outputs.map { x.slice(axis: 1, $0.lowerBound, $0.upperBound) } ?? x
    let h = kept + dropout(attn(norm1(x), queries: outputs))
    return h + dropout(fc2(fc1(norm2(h)).geluErf()))
  }
}

/// A stack of pre-LN blocks ("blocks.N") followed by a final LayerNorm ("norm").
public final class TransformerEncoder: Module, Layer {
  public let blocks: [TransformerEncoderLayer]
  public let norm: LayerNorm

  public init(depth: Int, dim: Int, heads: Int, mlpRatio: Int = 4, dropout: Float = 0, eps: Float = 1e-5, rng: inout RandomGenerator) {
    blocks = (0..<depth).map { _ in TransformerEncoderLayer(dim: dim, heads: heads, mlpRatio: mlpRatio, dropout: dropout, eps: eps, rng: &rng) }
    norm = LayerNorm(dim, eps: eps)
    super.init()
    let container = Module()
    for (i, b) in blocks.enumerated() { container.register(String(i), b) }
    register("blocks", container)
    register("norm", norm)
  }

  /// x: [batch, tokens, dim].
  public func callAsFunction(_ x: Tensor) -> Tensor { norm(blocks.reduce(x) { $1($0) }) }

  /// The encoder's output at the tokens in `outputs` only, [batch, outputs.count, dim]: equal to
  /// `self(x)` sliced to those rows (without dropout: its masks then have other shapes), with the last block computing just them (the other tokens' final
  /// outputs are never read, e.g. the data tokens of a hypernetwork that reads its weight tokens).
  public func callAsFunction(_ x: Tensor, outputs: Range<Int>) -> Tensor {
    let early = blocks.dropLast().reduce(x) { $1($0) }
    return norm(blocks.last.map { $0(early, outputs: outputs) } ?? early.slice(axis: 1, outputs.lowerBound, outputs.upperBound))
  }
}
