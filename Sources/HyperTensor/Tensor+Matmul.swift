/// Matrix products with transpose flags, batched over leading axes.
extension Tensor {
  /// op(self) @ op(b) over the last two axes. Leading (batch) axes must match, or one operand is a
  /// plain matrix shared by the whole batch.
  ///
  /// Backward (C = op(A) op(B), G = dL/dC): dop(A) = G op(B)^T and dop(B) = op(A)^T G, each expressed
  /// as another `matmul` so that the rule is itself differentiable.
  public func matmul(_ b: Tensor, transposeA tA: Bool = false, transposeB tB: Bool = false) -> Tensor {
    let a = self
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    precondition(batchA == batchB || batchA.isEmpty || batchB.isEmpty,
                 "matmul batch axes \(batchA) and \(batchB) differ")
    let m = tA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
    let ka = tA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
    let kb = tB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
    let n = tB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
    precondition(ka == kb, "matmul inner dimensions differ: \(a.shape)\(tA ? "^T" : "") @ \(b.shape)\(tB ? "^T" : "")")
    let batchShape = batchA.isEmpty ? batchB : batchA
    let batch = batchShape.reduce(1, *)
    let out = batchShape + [m, n]
    let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
    if batchB.isEmpty && !tA && a.rank > 2 {
      // A shared right operand: one product with all batch rows stacked.
      return a.reshaped([batch * m, ka]).matmul(b, transposeB: tB).reshaped(out)
    }
    let r = TensorStorage(uninitializedCount: out.reduce(1, *))
    do {
      Gemm.sgemmBatched(batch: batch, transA: tA, transB: tB, m: m, n: n, k: ka,
                        a: a.storage.pointer, lda: lda, strideA: batchA.isEmpty ? 0 : m * ka,
                        b: b.storage.pointer, ldb: ldb, strideB: batchB.isEmpty ? 0 : ka * n,
                        c: r.pointer, ldc: n, strideC: m * n)
    }
    return Tensor.result(out, r, [a, b]) { g, needs in
      var da: Tensor? = nil, db: Tensor? = nil
      if needs[0] {
        da = (tA ? b.matmul(g, transposeA: tB, transposeB: true) : g.matmul(b, transposeB: !tB)).sum(toShape: a.shape)
      }
      if needs[1] {
        db = (tB ? g.matmul(a, transposeA: true, transposeB: tA) : a.matmul(g, transposeA: !tA)).sum(toShape: b.shape)
      }
      return [da, db]
    }
  }
}
