import HyperTensor

/// Multi-head self-attention (Vaswani et al. 2017, Eq. 1-2): softmax(Q K^T / sqrt(d_head)) V per head,
/// with a fused input projection "qkv" ([3 dim, dim], rows ordered q, k, v) and an output projection
/// "proj", as timm's ViT names them.
public final class MultiHeadAttention: Module {
  public let dim: Int, heads: Int
  public let qkv: Linear, proj: Linear

  public init(dim: Int, heads: Int, rng: inout RandomGenerator) {
    precondition(dim % heads == 0, "attention dim \(dim) is not divisible by \(heads) heads")
    self.dim = dim
    self.heads = heads
    qkv = Linear(dim, 3 * dim, rng: &rng)
    proj = Linear(dim, dim, rng: &rng)
    super.init()
    register("qkv", qkv)
    register("proj", proj)
  }

  /// x: [batch, tokens, dim] -> [batch, tokens, dim], or only the rows of the tokens in `queries`
  /// (every token still a key and a value); sequence i attends to its first keyLengths[i] tokens (all when
  /// nil), its padding masked.
  public func callAsFunction(_ x: Tensor, queries: Range<Int>? = nil, keyLengths: [Int]? = nil) -> Tensor {
    precondition(x.rank == 3 && x.shape[2] == dim, "attention expects [batch, tokens, \(dim)], got \(x.shape)")
    return proj(qkv(x).attention(heads: heads, queries: queries, keyLengths: keyLengths))
  }
}
