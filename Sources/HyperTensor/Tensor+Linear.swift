/// The fused affine layer of MLPs and INRs.
extension Tensor {
  /// y = act(x W^T + b) with W [out, in] (or x W with W [in, out] when `weightIsInOut`) and b [out], in
  /// one GEMM whose epilogue adds the bias and applies the ReLU while the output block is still in cache.
  /// x may have leading batch axes.
  ///
  /// Backward: g_z = g (y > 0) for ReLU (else g); dx = g_z W; dW = g_z^T x; db = sum of g_z over rows —
  /// each a differentiable operation, so second-order gradients follow.
  public func linear(weight: Tensor, bias: Tensor?, relu: Bool = false, weightIsInOut: Bool = false) -> Tensor {
    let inAxis = weightIsInOut ? 0 : 1
    precondition(weight.rank == 2 && shape.last == weight.shape[inAxis],
                 "linear: input \(shape) does not match weight \(weight.shape)")
    let inF = weight.shape[inAxis], outF = weight.shape[1 - inAxis]
    if let bias { precondition(bias.shape == [outF], "linear: bias \(bias.shape) for \(outF) outputs") }
    let rows = count / Swift.max(inF, 1)
    let outShape = Array(shape.dropLast()) + [outF]
    let r = TensorStorage(uninitializedCount: rows * outF)
    Gemm.sgemm(transA: false, transB: !weightIsInOut, m: rows, n: outF, k: inF, a: storage.pointer, lda: inF,
               b: weight.storage.pointer, ldb: weightIsInOut ? outF : inF, c: r.pointer, ldc: outF,
               epilogue: Gemm.Epilogue(bias: bias.map { UnsafePointer($0.storage.pointer) }, relu: relu))
    let x = self
    let output = Tensor(shape: outShape, storage: r)
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(outShape, r, inputs) { g, needs in
      let g2 = g.reshaped([rows, outF])
      let gz = relu ? g2.passed(wherePositive: output.reshaped([rows, outF])) : g2
      let xm = x.reshaped([rows, inF])
      var grads: [Tensor?] = [
        needs[0] ? gz.matmul(weight, transposeB: weightIsInOut).reshaped(x.shape) : nil,
        needs[1] ? (weightIsInOut ? xm.matmul(gz, transposeA: true) : gz.matmul(xm, transposeA: true)) : nil,
      ]
      if bias != nil { grads.append(needs[2] ? gz.sum(axis: 0) : nil) }
      return grads
    }
  }
}
