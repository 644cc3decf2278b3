import CKernels

/// Fused neural-network operations on the last axis, and scans along an axis.
extension Tensor {
  /// Softmax along `axis` (fused kernel on the last axis). Backward: y (g - sum(g y)).
  public func softmax(axis a: Int = -1) -> Tensor {
    rowSoftmax(axis: a, log: false) { x, y, g in y * (g - (g * y).sum(axis: -1, keepdims: true)) }
  }

  /// log(softmax(x)) along `axis`, computed stably. Backward: g - softmax(x) sum(g).
  public func logSoftmax(axis a: Int = -1) -> Tensor {
    rowSoftmax(axis: a, log: true) { x, y, g in g - y.exp() * g.sum(axis: -1, keepdims: true) }
  }

  /// The fused (log-)softmax kernel over the last axis (other axes are moved there). `rule(x, y, g)` is
  /// the backward rule given the output y, recomputed differentiably when the backward pass is recorded.
  private func rowSoftmax(axis a: Int, log: Bool, rule: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
    let ax = axis(a)
    if ax != rank - 1 { return transposed(ax, -1).rowSoftmax(axis: -1, log: log, rule: rule).transposed(ax, -1) }
    let d = shape.last ?? 1
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    Parallel.forEachChunk(count / Swift.max(d, 1), minPerThread: Swift.max(1, 8192 / Swift.max(d, 1)), align: 1) { rows in
      hk_softmax(x + rows.lowerBound * d, r.pointer + rows.lowerBound * d, rows.count, d, log ? 1 : 0)
    }
    let y = Tensor(shape: shape, storage: r)
    return Tensor.result(shape, r, [self]) { g, _ in
      [rule(self, GradMode.isEnabled ? self.rowSoftmax(axis: -1, log: log, rule: rule) : y, g)]
    }
  }

  /// Layer normalisation over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * weight + bias.
  /// The normalisation is one fused kernel; backward
  /// dx = rstd (g - mean(g) - xhat mean(g xhat)), recomputed from differentiable operations when the
  /// backward pass is itself recorded.
  public func layerNorm(weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    let d = shape.last ?? 1
    let rows = count / Swift.max(d, 1)
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let rstdStorage = TensorStorage(uninitializedCount: rows)
    Parallel.forEachChunk(rows, minPerThread: Swift.max(1, 8192 / Swift.max(d, 1)), align: 1) { rr in
      hk_layernorm(x + rr.lowerBound * d, r.pointer + rr.lowerBound * d, rr.count, d, eps, rstdStorage.pointer + rr.lowerBound)
    }
    var kept = shape
    if !kept.isEmpty { kept[kept.count - 1] = 1 }
    let savedXhat = Tensor(shape: shape, storage: r), savedRstd = Tensor(shape: kept, storage: rstdStorage)
    let xhat = Tensor.result(shape, r, [self]) { g, _ in
      var xh = savedXhat, rstd = savedRstd
      if GradMode.isEnabled {
        let centered = self - self.mean(axis: -1, keepdims: true)
        rstd = ((centered * centered).mean(axis: -1, keepdims: true) + eps).pow(-0.5)
        xh = centered * rstd
      }
      return [rstd * (g - g.mean(axis: -1, keepdims: true) - xh * (g * xh).mean(axis: -1, keepdims: true))]
    }
    var y = xhat
    if let weight { y = y * weight }
    if let bias { y = y + bias }
    return y
  }

  /// x / max(||x||_2, eps) along `axis` (unit L2 norm, as PyTorch's F.normalize).
  public func l2Normalized(axis a: Int = -1, eps: Float = 1e-12) -> Tensor { self * l2InverseNorms(axis: a, eps: eps) }

  /// 1 / max(||x||_2, eps) along `axis`, kept as an axis of size 1: the factors `l2Normalized` applies.
  public func l2InverseNorms(axis a: Int = -1, eps: Float = 1e-12) -> Tensor {
    (self * self).sum(axis: a, keepdims: true).maximum(Tensor(scalar: eps * eps)).pow(-0.5)
  }

  /// Cumulative sum along `axis`; `exclusive` omits the current element, `reverse` sums from the end.
  /// Backward: the cumulative sum in the opposite direction, with the same exclusivity.
  public func cumsum(axis a: Int, exclusive: Bool = false, reverse: Bool = false) -> Tensor {
    let ax = axis(a)
    let r = scan(axis: ax, exclusive: exclusive, reverse: reverse, initial: 0, +)
    return Tensor.result(shape, r.storage, [self]) { g, _ in [g.cumsum(axis: ax, exclusive: exclusive, reverse: !reverse)] }
  }

  /// Running `combine` of the elements along `axis` (no gradient recorded).
  private func scan(axis ax: Int, exclusive: Bool, reverse: Bool, initial: Float, _ combine: (Float, Float) -> Float) -> Tensor {
    let outer = shape[..<ax].reduce(1, *), len = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
    let x = storage.pointer
    return Tensor.build(shape) { y, _ in
      var acc = [Float](repeating: initial, count: inner)
      for o in 0..<outer {
        for j in 0..<inner { acc[j] = initial }
        for s in 0..<len {
          let off = (o * len + (reverse ? len - 1 - s : s)) * inner
          for j in 0..<inner {
            if exclusive { y[off + j] = acc[j]; acc[j] = combine(acc[j], x[off + j]) } else {
              acc[j] = combine(acc[j], x[off + j]); y[off + j] = acc[j]
            }
          }
        }
      }
    }
  }

  /// Exclusive cumulative product along `axis`: y_i = prod_{j<i} x_j, y_0 = 1 (transmittance in volume
  /// rendering). Backward: dx_k = sum_{i>k} g_i y_i / x_k, which requires x != 0 (volume rendering adds
  /// a small epsilon to 1 - alpha).
  public func cumprodExclusive(axis a: Int) -> Tensor {
    let ax = axis(a)
    let saved = scan(axis: ax, exclusive: true, reverse: false, initial: 1, *)
    return Tensor.result(shape, saved.storage, [self]) { g, _ in
      let y = GradMode.isEnabled ? self.cumprodExclusive(axis: ax) : saved
      return [(g * y).cumsum(axis: ax, exclusive: true, reverse: true) / self]
    }
  }

  /// Inverted dropout: zeroes each element with probability p and scales the rest by 1 / (1 - p).
  public func dropout(_ p: Float, rng: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    if p == 0 { return self }
    let scale = 1 / (1 - p)
    let mask = Tensor.build(shape) { m, n in for i in 0..<n { m[i] = rng.nextFloat() >= p ? scale : 0 } }
    return self * mask
  }
}
