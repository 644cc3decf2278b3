import HyperTensor

/// One post-LayerNorm transformer block as BERT has it (Devlin et al. 2019, after Vaswani et al. 2017,
/// Sec. 3.1): x = LN(x + Attn(x)), then x = LN(x + FFN(x)) with an exact-erf GELU feed-forward. The
/// attention is `MultiHeadAttention` ("attn": one packed q/k/v projection; BERT's separate query, key and
/// value weights are concatenated into it when loaded).
public final class PostLNBlock: Module, Layer {
  public let attn: MultiHeadAttention, norm1: LayerNorm
  public let fc1: Linear, fc2: Linear, norm2: LayerNorm

  public init(dim: Int, heads: Int, hidden: Int, eps: Float, rng: inout RandomGenerator) {
    attn = MultiHeadAttention(dim: dim, heads: heads, rng: &rng)
    norm1 = LayerNorm(dim, eps: eps)
    fc1 = Linear(dim, hidden, rng: &rng)
    fc2 = Linear(hidden, dim, rng: &rng)
    norm2 = LayerNorm(dim, eps: eps)
    super.init()
    register("attn", attn)
    register("norm1", norm1)
    register("fc1", fc1)
    register("fc2", fc2)
    register("norm2", norm2)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, keyLengths: nil) }

  /// x: [batch, tokens, dim] -> [batch, tokens, dim]; sequence i attends to its first keyLengths[i] tokens
  /// (all when nil), its padding masked.
  public func callAsFunction(_ x: Tensor, keyLengths: [Int]?) -> Tensor {
    let h = norm1(x + attn(x, keyLengths: keyLengths))
    return norm2(h + fc2(fc1(h).geluErf()))
  }
}
