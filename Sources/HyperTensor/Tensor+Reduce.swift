import CKernels

/// Reductions over axes (with keepdims) and their backward rules.
extension Tensor {
  /// Sorted, normalised, de-duplicated axes (all axes when `axes` is nil).
  func normalizedAxes(_ axes: [Int]?) -> [Int] {
    guard let axes else { return Array(0..<rank) }
    return Array(Set(axes.map { axis($0) })).sorted()
  }

  /// Shape after reducing `axes` (kept as size-1 axes when `keepdims`).
  func reducedShape(_ axes: [Int], keepdims: Bool) -> [Int] {
    keepdims ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
      : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
  }

  /// Reduces one axis of a [outer, r, inner] view with a sum or max kernel.
  private func reduceAxis(_ a: Int, max useMax: Bool) -> Tensor {
    let outer = shape[..<a].reduce(1, *), r = shape[a], inner = shape[(a + 1)...].reduce(1, *)
    var out = shape
    out[a] = 1
    let x = storage.pointer
    if !useMax {
      return Tensor.build(out) { y, _ in
        Tensor.columnSums(outer: outer, rows: r, inner: inner, into: y) { row, n, dst in
          if inner == 1 { dst[0] += hk_sum(x + row, n) } else { hk_colsum_add(x + row * inner, n, inner, dst) }
        }
      }
    }
    return Tensor.build(out) { y, _ in
      Parallel.forEachChunk(outer, minPerThread: Swift.max(1, 65536 / Swift.max(1, r * inner)), align: 1) { range in
        for o in range {
          let src = x + o * r * inner, dst = y + o * inner
          dst.update(from: src, count: inner)
          for i in 1..<Swift.max(r, 1) {
            let row = src + i * inner
            for j in 0..<inner where row[j] > dst[j] || row[j].isNaN { dst[j] = row[j] }
          }
          if r == 0 { dst.update(repeating: -.infinity, count: inner) }
        }
      }
    }
  }

  /// Column sums of the `outer` blocks of a [outer * rows, inner] matrix into y [outer, inner]:
  /// `add(row, n, dst)` adds the column sums of rows row ..< row + n to dst. Blocks go to the workers
  /// whole, or, when there are fewer blocks than workers, each block's rows are split (partial sums, then
  /// added in worker order) — the same order for every caller, so fused and separate reductions agree.
  static func columnSums(outer: Int, rows r: Int, inner: Int, into y: UnsafeMutablePointer<Float>,
                         _ add: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
    if outer < Parallel.threads && r * inner >= 1 << 16 {
      for o in 0..<outer {
        let t = Swift.min(Parallel.threads, Swift.max(1, r / 64))
        let partial = TensorStorage(zeros: t * inner)
        let per = (r + t - 1) / t
        Parallel.forEach(t) { w in
          let lo = Swift.min(r, w * per), hi = Swift.min(r, lo + per)
          add(o * r + lo, hi - lo, partial.pointer + w * inner)
        }
        let dst = y + o * inner
        dst.update(repeating: 0, count: inner)
        for w in 0..<t { for j in 0..<inner { dst[j] += partial.pointer[w * inner + j] } }
      }
      return
    }
    Parallel.forEachChunk(outer, minPerThread: Swift.max(1, 65536 / Swift.max(1, r * inner)), align: 1) { range in
      for o in range {
        let dst = y + o * inner
        dst.update(repeating: 0, count: inner)
        add(o * r, r, dst)
      }
    }
  }

  /// Sum over `axes` (all when nil).
  public func sum(axes: [Int]? = nil, keepdims: Bool = false) -> Tensor {
    let ax = normalizedAxes(axes)
    var t = detached()
    if ax.count == rank && rank > 0 {
      t = Tensor(shape: [Swift.max(count, 0)], storage: storage).reduceAxis(0, max: false)
    } else {
      for a in ax { t = t.reduceAxis(a, max: false) }
    }
    let outShape = reducedShape(ax, keepdims: keepdims)
    let kept = reducedShape(ax, keepdims: true)
    return Tensor.result(outShape, t.storage, [self]) { g, _ in [g.reshaped(kept).broadcast(to: self.shape)] }
  }

  public func sum(axis: Int, keepdims: Bool = false) -> Tensor { sum(axes: [axis], keepdims: keepdims) }

  /// Mean over `axes` (all when nil).
  public func mean(axes: [Int]? = nil, keepdims: Bool = false) -> Tensor {
    let ax = normalizedAxes(axes)
    let n = ax.reduce(1) { $0 * shape[$1] }
    return sum(axes: ax, keepdims: keepdims) * (1 / Float(Swift.max(n, 1)))
  }

  public func mean(axis: Int, keepdims: Bool = false) -> Tensor { mean(axes: [axis], keepdims: keepdims) }

  /// Maximum over `axes` (all when nil). The gradient goes to every element equal to the maximum.
  public func max(axes: [Int]? = nil, keepdims: Bool = false) -> Tensor {
    let ax = normalizedAxes(axes)
    var t = detached()
    for a in ax { t = t.reduceAxis(a, max: true) }
    let outShape = reducedShape(ax, keepdims: keepdims)
    let kept = reducedShape(ax, keepdims: true)
    let m = t
    return Tensor.result(outShape, t.storage, [self]) { g, _ in
      [g.reshaped(kept) * self.mask(equal: m.reshaped(kept))]
    }
  }

  public func max(axis: Int, keepdims: Bool = false) -> Tensor { max(axes: [axis], keepdims: keepdims) }

  /// Variance over `axes` (population, or unbiased with Bessel's correction).
  public func variance(axes: [Int]? = nil, keepdims: Bool = false, unbiased: Bool = false) -> Tensor {
    let ax = normalizedAxes(axes)
    let n = ax.reduce(1) { $0 * shape[$1] }
    let centered = self - mean(axes: ax, keepdims: true)
    let ss = (centered * centered).sum(axes: ax, keepdims: keepdims)
    return ss * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
  }

  public func variance(axis: Int, keepdims: Bool = false, unbiased: Bool = false) -> Tensor {
    variance(axes: [axis], keepdims: keepdims, unbiased: unbiased)
  }

  /// Sum of squares of all elements (not recorded for gradients).
  public func squaredNorm() -> Float {
    var parts = [Float](repeating: 0, count: Parallel.threads)
    let x = storage.pointer
    parts.withUnsafeMutableBufferPointer { out in
      let per = (count + out.count - 1) / Swift.max(out.count, 1)
      Parallel.forEach(out.count) { i in
        let lo = Swift.min(count, i * per)
        out[i] = hk_sumsq(x + lo, Swift.min(per, count - lo))
      }
    }
    return parts.reduce(0, +)
  }

  /// Sums a broadcast gradient back to `target` (the inverse of broadcasting).
  public func sum(toShape target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    precondition(lead >= 0, "cannot sum shape \(shape) to \(target)")
    var axes = Array(0..<lead)
    for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    return sum(axes: axes, keepdims: true).reshaped(target)
  }
}
