/// Shape operations: views (reshape), copies (permute, broadcast, slice, concat) and index selection.
extension Tensor {
  /// The same values with a new shape; one dimension may be -1 (inferred). Shares storage.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var s = newShape
    if let i = s.firstIndex(of: -1) {
      let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      s[i] = count / known
    }
    precondition(s.reduce(1, *) == count, "cannot reshape \(shape) (\(count) values) to \(newShape)")
    if s == shape { return self }
    let old = shape
    return Tensor.result(s, storage, [self]) { g, _ in [g.reshaped(old)] }
  }

  /// Inserts a size-1 axis at `axis`.
  public func unsqueezed(_ axis: Int) -> Tensor {
    var s = shape
    s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
    return reshaped(s)
  }

  /// Reorders axes: result axis i is input axis `order[i]`.
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.sorted() == Array(0..<rank), "permutation \(order) invalid for rank \(rank)")
    if order == Array(0..<rank) { return self }
    let out = order.map { shape[$0] }
    let inStrides = Tensor.strides(shape)
    let srcStrides = order.map { inStrides[$0] }
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    if rank >= 2 && order.dropLast(2) == ArraySlice(0..<(rank - 2)) && order.suffix(2) == [rank - 1, rank - 2] {
      // batched 2-D transpose, tiled for cache reuse
      let rows = shape[rank - 2], cols = shape[rank - 1], batch = count / Swift.max(1, rows * cols)
      Parallel.forEach(batch) { b in
        let src = x + b * rows * cols, dst = y + b * rows * cols
        var i0 = 0
        while i0 < rows {
          var j0 = 0
          while j0 < cols {
            for i in i0..<Swift.min(rows, i0 + 32) {
              for j in j0..<Swift.min(cols, j0 + 32) { dst[j * rows + i] = src[i * cols + j] }
            }
            j0 += 32
          }
          i0 += 32
        }
      }
    } else if count > 0 {
      let inner = out.last!, innerStride = srcStrides.last!
      let outer = count / inner
      Parallel.forEachChunk(outer, minPerThread: Swift.max(1, 16384 / inner), align: 1) { range in
        for row in range {
          var rem = row, off = 0
          for d in stride(from: out.count - 2, through: 0, by: -1) {
            off += (rem % out[d]) * srcStrides[d]
            rem /= out[d]
          }
          let dst = y + row * inner
          for j in 0..<inner { dst[j] = x[off + j * innerStride] }
        }
      }
    }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, o) in order.enumerated() { inverse[o] = i }
    return Tensor.result(out, r, [self]) { g, _ in [g.permuted(inverse)] }
  }

  /// Swaps two axes.
  public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
    var order = Array(0..<rank)
    order.swapAt(axis(a), axis(b))
    return permuted(order)
  }

  /// Materialises broadcasting to `target` (NumPy rules); the gradient is summed back.
  public func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    precondition(Broadcast.shape(shape, target) == target, "cannot broadcast \(shape) to \(target)")
    let r = Broadcast.apply(Tensor.zeros(target), detached(), AddKernel.self)
    return Tensor.result(target, r.storage, [self]) { g, _ in [g.sum(toShape: self.shape)] }
  }

  /// `b` copies of the tensor along a new leading axis, [b] + shape (the gradient is summed over them).
  public func repeated(batch b: Int) -> Tensor { unsqueezed(0).broadcast(to: [b] + shape) }

  /// Elements `start..<end` along `axis`.
  public func slice(axis a: Int, _ start: Int, _ end: Int) -> Tensor {
    let ax = axis(a)
    precondition(start >= 0 && start <= end && end <= shape[ax], "slice \(start)..<\(end) out of range for axis \(ax) of \(shape)")
    var out = shape
    out[ax] = end - start
    let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
    let x = storage.pointer, n = end - start, len = shape[ax]
    let r = Tensor.build(out) { y, _ in
      for o in 0..<outer { (y + o * n * inner).update(from: x + (o * len + start) * inner, count: n * inner) }
    }
    let full = shape
    return Tensor.result(out, r.storage, [self]) { g, _ in [g.padded(axis: ax, before: start, totalLength: full[ax])] }
  }

  /// Places `self` at offset `before` of a zero tensor whose `axis` has `totalLength` (slice's adjoint).
  func padded(axis ax: Int, before: Int, totalLength: Int) -> Tensor {
    var out = shape
    out[ax] = totalLength
    let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *), n = shape[ax]
    let x = storage.pointer
    let r = TensorStorage(zeros: out.reduce(1, *))
    for o in 0..<outer {
      (r.pointer + (o * totalLength + before) * inner).update(from: x + o * n * inner, count: n * inner)
    }
    return Tensor.result(out, r, [self]) { g, _ in [g.slice(axis: ax, before, before + n)] }
  }

  /// Joins tensors along an existing axis.
  public static func concat(_ parts: [Tensor], axis a: Int) -> Tensor {
    precondition(!parts.isEmpty, "concat needs at least one tensor")
    let ax = parts[0].axis(a)
    var out = parts[0].shape
    for p in parts.dropFirst() {
      precondition(p.rank == out.count && p.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == out[$0.offset] },
                   "concat: shape \(p.shape) does not match \(parts[0].shape) off axis \(ax)")
    }
    out[ax] = parts.reduce(0) { $0 + $1.shape[ax] }
    let outer = out[..<ax].reduce(1, *), inner = out[(ax + 1)...].reduce(1, *)
    let r = Tensor.build(out) { y, _ in
      var offset = 0
      for p in parts {
        let n = p.shape[ax] * inner
        for o in 0..<outer { (y + o * out[ax] * inner + offset).update(from: p.storage.pointer + o * n, count: n) }
        offset += n
      }
    }
    let sizes = parts.map { $0.shape[ax] }
    return result(out, r.storage, parts) { g, needs in
      var start = 0
      return sizes.enumerated().map { i, s in
        defer { start += s }
        return needs[i] ? g.slice(axis: ax, start, start + s) : nil
      }
    }
  }

  /// Stacks equally shaped tensors along a new axis.
  public static func stack(_ parts: [Tensor], axis a: Int = 0) -> Tensor {
    precondition(!parts.isEmpty, "stack needs at least one tensor")
    return concat(parts.map { $0.unsqueezed(a) }, axis: a)
  }

  /// Selects entries `indices` along `axis` (index-select / gather of rows); backward is a scatter-add.
  public func gather(axis a: Int, indices: [Int]) -> Tensor {
    let ax = axis(a)
    let len = shape[ax]
    precondition(indices.allSatisfy { $0 >= 0 && $0 < len }, "gather: index out of range 0..<\(len)")
    var out = shape
    out[ax] = indices.count
    let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
    let x = storage.pointer
    let r = Tensor.build(out) { y, _ in
      indices.withUnsafeBufferPointer { idx in
        Parallel.forEachChunk(outer * idx.count, minPerThread: Swift.max(1, 16384 / Swift.max(inner, 1)), align: 1) { range in
          for t in range {
            let o = t / idx.count, k = t % idx.count
            (y + t * inner).update(from: x + (o * len + idx[k]) * inner, count: inner)
          }
        }
      }
    }
    return Tensor.result(out, r.storage, [self]) { g, _ in [g.scatterAdd(axis: ax, indices: indices, length: len)] }
  }

  /// Adds slice k of `self` along `axis` into entry `indices[k]` of a zero tensor with `length` entries
  /// on that axis (the adjoint of `gather`; repeated indices accumulate).
  public func scatterAdd(axis a: Int, indices: [Int], length: Int) -> Tensor {
    let ax = axis(a)
    precondition(indices.count == shape[ax], "scatterAdd: \(indices.count) indices for axis of size \(shape[ax])")
    precondition(indices.allSatisfy { $0 >= 0 && $0 < length }, "scatterAdd: index out of range 0..<\(length)")
    var out = shape
    out[ax] = length
    let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
    let x = storage.pointer
    let r = TensorStorage(zeros: out.reduce(1, *))
    let y = r.pointer
    for o in 0..<outer {
      for (k, i) in indices.enumerated() {
        let src = x + (o * indices.count + k) * inner, dst = y + (o * length + i) * inner
        for j in 0..<inner { dst[j] += src[j] }
      }
    }
    return Tensor.result(out, r, [self]) { g, _ in [g.gather(axis: ax, indices: indices)] }
  }
}
