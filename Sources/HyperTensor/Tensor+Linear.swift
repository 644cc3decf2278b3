/// The fused affine layer of MLPs and INRs.
extension Tensor {
  /// y = act(x W^T + b) with W [out, in] (or x W with W [in, out] when `weightIsInOut`) and b [out], in
  /// one GEMM whose epilogue adds the bias and applies the ReLU while the output block is still in cache.
  /// x may have leading batch axes. A rank-3 weight [B, ., .] holds one layer per batch item, with
  /// b [B, 1, out] or [B, out]: the INR layers a hypernetwork emits for B signals, applied to x [B, ..., in]
  /// or to one x [N, in] shared by all (then y is [B, N, out]).
  ///
  /// Backward: g_z = g (y > 0) for ReLU (else g); dx = g_z W; dW = g_z^T x; db = sum of g_z over rows —
  /// each a differentiable operation, so second-order gradients follow.
  public func linear(weight: Tensor, bias: Tensor?, relu: Bool = false, weightIsInOut: Bool = false) -> Tensor {
    let batched = weight.rank == 3, shared = batched && rank == 2
    let inAxis = weight.rank - (weightIsInOut ? 2 : 1)
    precondition((weight.rank == 2 || (batched && (shared || (rank >= 3 && shape[0] == weight.shape[0]))))
                   && shape.last == weight.shape[inAxis], "linear: input \(shape) does not match weight \(weight.shape)")
    let batch = batched ? weight.shape[0] : 1
    let inF = weight.shape[inAxis], outF = weight.shape[weight.rank * 2 - 3 - inAxis]
    if let bias { precondition(bias.count == batch * outF && bias.shape.last == outF, "linear: bias \(bias.shape) for \(outF) outputs") }
    let rows = count / Swift.max((shared ? 1 : batch) * inF, 1)
    let outShape = (shared ? [batch] : []) + Array(shape.dropLast()) + [outF]
    let r = TensorStorage(uninitializedCount: batch * rows * outF)
    Gemm.sgemmBatched(batch: batch, transA: false, transB: !weightIsInOut, m: rows, n: outF, k: inF,
                      a: storage.pointer, lda: inF, strideA: shared ? 0 : rows * inF,
                      b: weight.storage.pointer, ldb: weightIsInOut ? outF : inF, strideB: inF * outF,
                      c: r.pointer, ldc: outF, strideC: rows * outF,
                      epilogue: Gemm.Epilogue(bias: bias.map { UnsafePointer($0.storage.pointer) }, relu: relu),
                      biasStride: outF)
    let x = self
    let output = Tensor(shape: outShape, storage: r)
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(outShape, r, inputs) { g, needs in
      let matrices = batched ? [batch, rows] : [rows]
      let g2 = g.reshaped(matrices + [outF])
      let gate = output.reshaped(matrices + [outF])
      // Not recorded: gate and bias gradient in one pass.
      let fused = relu && bias != nil && needs[2] && !GradMode.isEnabled ? g2.passedWithColumnSums(wherePositive: gate) : nil
      let gz = fused?.passed ?? (relu ? g2.passed(wherePositive: gate) : g2)
      let xm = x.reshaped((batched && !shared ? [batch] : []) + [rows, inF])
      var dx: Tensor? = nil
      if needs[0] {
        let d = gz.matmul(weight, transposeB: weightIsInOut)
        dx = (shared ? d.sum(axis: 0) : d).reshaped(x.shape)
      }
      var grads: [Tensor?] = [dx, needs[1] ? (weightIsInOut ? xm.matmul(gz, transposeA: true) : gz.matmul(xm, transposeA: true)) : nil]
      if let bias { grads.append(needs[2] ? (fused?.sums ?? gz.sum(axis: gz.rank - 2)).reshaped(bias.shape) : nil) }
      return grads
    }
  }
}
