import HyperTensor

/// One post-LayerNorm transformer block as BERT has it (Devlin et al. 2019, after Vaswani et al. 2017,
/// Sec. 3.1): x = LN(x + Attn(x)), then x = LN(x + FFN(x)) with an exact-erf GELU feed-forward. The query,
/// key and value projections are separate layers ("q", "k", "v"), as in BERT's weights; the attention
/// runs them as one fused multi-head product.
public final class PostLNBlock: Module, Layer {
  public let heads: Int
  public let q: Linear, k: Linear, v: Linear, proj: Linear, norm1: LayerNorm
  public let fc1: Linear, fc2: Linear, norm2: LayerNorm

  public init(dim: Int, heads: Int, hidden: Int, eps: Float, rng: inout RandomGenerator) {
    precondition(dim % heads == 0, "attention dim \(dim) is not divisible by \(heads) heads")
    self.heads = heads
    q = Linear(dim, dim, rng: &rng)
    k = Linear(dim, dim, rng: &rng)
    v = Linear(dim, dim, rng: &rng)
    proj = Linear(dim, dim, rng: &rng)
    norm1 = LayerNorm(dim, eps: eps)
    fc1 = Linear(dim, hidden, rng: &rng)
    fc2 = Linear(hidden, dim, rng: &rng)
    norm2 = LayerNorm(dim, eps: eps)
    super.init()
    for (name, m) in [("q", q), ("k", k), ("v", v), ("proj", proj), ("fc1", fc1), ("fc2", fc2)] { register(name, m) }
    register("norm1", norm1)
    register("norm2", norm2)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, keyLengths: nil) }

  /// x: [batch, tokens, dim] -> [batch, tokens, dim]; sequence i attends to its first keyLengths[i] tokens
  /// (all when nil), its padding masked.
  public func callAsFunction(_ x: Tensor, keyLengths: [Int]?) -> Tensor {
    let qkv = Tensor.concat([q(x), k(x), v(x)], axis: 2)
    let h = norm1(x + proj(qkv.attention(heads: heads, keyLengths: keyLengths)))
    return norm2(h + fc2(fc1(h).geluErf()))
  }
}
