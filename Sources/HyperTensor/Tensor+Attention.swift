import CKernels

/// Multi-head self-attention on a packed projection, with the heads read and written in place.
extension Tensor {
  /// Scaled dot-product attention per head (Vaswani et al. 2017, Eq. 1: softmax(Q K^T / sqrt(d_h)) V) on
  /// self = [batch, tokens, 3 * dim], the output of one Linear holding Q, K and V side by side, each split
  /// into `heads` slices of d_h = dim / heads columns; returns [batch, tokens, dim] with the heads side by
  /// side (ready for the output projection). The GEMMs address each head through row strides, so no head
  /// split or merge copy is made, and the scale rides in the score GEMM. Backward: dV = P^T dO,
  /// dS = P (dO V^T - rowsum(P dO V^T)) / sqrt(d_h), dQ = dS K, dK = dS^T Q, written straight into the
  /// packed gradient; recomputed from differentiable operations when the backward pass is itself recorded.
  ///
  /// `queries` limits the output to those tokens' rows ([batch, queries.count, dim]; every token still
  /// serves as key and value): the rows a model reads after its last block, the others' work skipped.
  /// `keyLengths` (one per batch element, 1...tokens) masks padding: element i attends only to its first
  /// keyLengths[i] tokens (their scores set to -inf before the softmax, BERT's attention mask, giving them
  /// probability exactly 0), so its valid rows are what the unpadded sequence gives and no gradient reaches
  /// the padded keys and values, in the first or the recorded backward pass.
  public func attention(heads: Int, queries: Range<Int>? = nil, keyLengths: [Int]? = nil) -> Tensor {
    precondition(rank == 3 && shape[2] % 3 == 0 && (shape[2] / 3) % heads == 0,
                 "attention expects [batch, tokens, 3 * dim] with dim divisible by \(heads) heads, got \(shape)")
    let b = shape[0], t = shape[1], dim = shape[2] / 3, dh = dim / heads, scale = 1 / Float(dh).squareRoot()
    let rows = queries ?? 0..<t
    precondition(rows.lowerBound >= 0 && rows.upperBound <= t, "attention queries \(rows) outside 0..<\(t) tokens")
    precondition(keyLengths.map { $0.count == b && $0.allSatisfy { $0 >= 1 && $0 <= t } } ?? true,
                 "attention keyLengths must give 1...\(t) tokens for each of the \(b) sequences")
    let x = storage.pointer, ld = 3 * dim, tq = rows.count, q0 = rows.lowerBound, square = tq * t
    let probs = TensorStorage(uninitializedCount: b * heads * square)
    let out = TensorStorage(uninitializedCount: b * tq * dim)
    for i in 0..<b {
      let xi = x + i * t * ld, pi = probs.pointer + i * heads * square
      Gemm.sgemmBatched(batch: heads, transA: false, transB: true, m: tq, n: t, k: dh, alpha: scale,
                        a: xi + q0 * ld, lda: ld, strideA: dh, b: xi + dim, ldb: ld, strideB: dh, c: pi, ldc: t, strideC: square)
      if let n = keyLengths?[i], n < t {
        for r in 0..<(heads * tq) { (pi + r * t + n).update(repeating: -.infinity, count: t - n) }
      }
    }
    Tensor.rows(b * heads * tq, length: t) { r, n in hk_softmax(probs.pointer + r * t, probs.pointer + r * t, n, t, 0) }
    for i in 0..<b {
      let xi = x + i * t * ld
      Gemm.sgemmBatched(batch: heads, transA: false, transB: false, m: tq, n: dh, k: t,
                        a: probs.pointer + i * heads * square, lda: t, strideA: square,
                        b: xi + 2 * dim, ldb: ld, strideB: dh, c: out.pointer + i * tq * dim, ldc: dim, strideC: dh)
    }
    return Tensor.result([b, tq, dim], out, [self]) { g, _ in
      if GradMode.isEnabled {
        return [Tensor.attentionBackward(qkv: self, heads: heads, queries: rows, keyLengths: keyLengths, gradient: g)]
      }
      let gp = g.storage.pointer, d = TensorStorage(uninitializedCount: b * t * ld)
      let dS = TensorStorage(uninitializedCount: heads * square)
      for i in 0..<b {
        let xi = x + i * t * ld, gi = gp + i * tq * dim, di = d.pointer + i * t * ld, pi = probs.pointer + i * heads * square
        // dV = P^T dO and dP = dO V^T per head
        Gemm.sgemmBatched(batch: heads, transA: true, transB: false, m: t, n: dh, k: tq, a: pi, lda: t, strideA: square,
                          b: gi, ldb: dim, strideB: dh, c: di + 2 * dim, ldc: ld, strideC: dh)
        Gemm.sgemmBatched(batch: heads, transA: false, transB: true, m: tq, n: t, k: dh, a: gi, lda: dim, strideA: dh,
                          b: xi + 2 * dim, ldb: ld, strideB: dh, c: dS.pointer, ldc: t, strideC: square)
        Tensor.rows(heads * tq, length: t) { r, n in
          hk_softmax_backward(pi + r * t, dS.pointer + r * t, dS.pointer + r * t, n, t, scale)
        }
        // dQ = dS K (zero for tokens that asked no query), dK = dS^T Q
        for r in 0..<t where !rows.contains(r) { (di + r * ld).update(repeating: 0, count: dim) }
        Gemm.sgemmBatched(batch: heads, transA: false, transB: false, m: tq, n: dh, k: t, a: dS.pointer, lda: t,
                          strideA: square, b: xi + dim, ldb: ld, strideB: dh, c: di + q0 * ld, ldc: ld, strideC: dh)
        Gemm.sgemmBatched(batch: heads, transA: true, transB: false, m: t, n: dh, k: tq, a: dS.pointer, lda: t,
                          strideA: square, b: xi + q0 * ld, ldb: ld, strideB: dh, c: di + dim, ldc: ld, strideC: dh)
      }
      return [Tensor(shape: shape, storage: d)]
    }
  }

  /// The attention's gradient with respect to the packed projection, built from differentiable operations
  /// (for second derivatives); queries and key lengths as in `attention(heads:queries:keyLengths:)`.
  static func attentionBackward(qkv: Tensor, heads: Int, queries rows: Range<Int>, keyLengths: [Int]?, gradient g: Tensor) -> Tensor {
    let b = qkv.shape[0], t = qkv.shape[1], dim = qkv.shape[2] / 3, dh = dim / heads, tq = rows.count
    let split = qkv.reshaped([b, t, 3, heads, dh]).permuted([2, 0, 3, 1, 4])  // [3, b, h, t, dh]
    func part(_ j: Int) -> Tensor { split.slice(axis: 0, j, j + 1).reshaped([b, heads, t, dh]) }
    let q = part(0).slice(axis: 2, rows.lowerBound, rows.upperBound), k = part(1), v = part(2)
    let scale = 1 / Float(dh).squareRoot()
    var scores = q.matmul(k, transposeB: true) * scale
    if let lengths = keyLengths { scores = scores + Tensor.keyMask(lengths, tokens: t) }
    let p = scores.softmax()
    let dO = g.reshaped([b, tq, heads, dh]).permuted([0, 2, 1, 3])
    let dV = p.matmul(dO, transposeA: true)
    let dP = dO.matmul(v, transposeB: true)
    let dS = p * (dP - (dP * p).sum(axis: -1, keepdims: true)) * scale
    var dQ = dS.matmul(k)
    if tq < t {  // no query, no gradient: zero rows around the queried ones
      let zeros = { (n: Int) in Tensor.zeros([b, heads, n, dh]) }
      dQ = Tensor.concat([zeros(rows.lowerBound), dQ, zeros(t - rows.upperBound)].filter { $0.shape[2] > 0 }, axis: 2)
    }
    let dK = dS.matmul(q, transposeA: true)
    return Tensor.stack([dQ, dK, dV], axis: 0).permuted([1, 3, 0, 2, 4]).reshaped([b, t, 3 * dim])
  }

  /// The additive attention mask [batch, 1, 1, tokens] of `keyLengths`: 0 on each sequence's first
  /// keyLengths[i] tokens, -inf after them.
  static func keyMask(_ keyLengths: [Int], tokens t: Int) -> Tensor {
    Tensor(shape: [keyLengths.count, 1, 1, t], scalars: keyLengths.flatMap { n in (0..<t).map { $0 < n ? 0 : -Float.infinity } })
  }

  /// Runs `body(firstRow, rowCount)` over `count` rows of `length` floats, split over the workers.
  private static func rows(_ count: Int, length: Int, _ body: (Int, Int) -> Void) {
    Parallel.forEachChunk(count, minPerThread: Swift.max(1, 8192 / Swift.max(length, 1)), align: 1) { r in
      body(r.lowerBound, r.count)
    }
  }
}
