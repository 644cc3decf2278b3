/// NumPy broadcasting of shapes and the strided loops that evaluate binary kernels over them.
enum Broadcast {
  /// The broadcast shape of `a` and `b` (NumPy rules: align trailing axes; sizes equal or 1).
  static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
      let da = i < r - a.count ? 1 : a[i - (r - a.count)]
      let db = i < r - b.count ? 1 : b[i - (r - b.count)]
      precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
      out[i] = da == 1 ? db : da
    }
    return out
  }

  /// Strides of `shape` seen as broadcast to `out` (0 along broadcast axes).
  static func strides(_ shape: [Int], to out: [Int]) -> [Int] {
    let base = Tensor.strides(shape)
    let lead = out.count - shape.count
    return (0..<out.count).map { i in
      i < lead ? 0 : (shape[i - lead] == 1 && out[i] != 1 ? 0 : base[i - lead])
    }
  }

  /// Applies `K` elementwise with broadcasting; result has shape `shape(a.shape, b.shape)`.
  static func apply<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _: K.Type) -> Tensor {
    let out = shape(a.shape, b.shape)
    let n = out.reduce(1, *)
    let r = TensorStorage(uninitializedCount: n)
    let pa = a.storage.pointer, pb = b.storage.pointer, pr = r.pointer
    if a.shape == b.shape {
      Parallel.forEachChunk(n) { range in
        for i in range { pr[i] = K.apply(pa[i], pb[i]) }
      }
    } else if b.count == 1 {
      let s = pb[0]
      Parallel.forEachChunk(n) { range in for i in range { pr[i] = K.apply(pa[i], s) } }
    } else if a.count == 1 {
      let s = pa[0]
      Parallel.forEachChunk(n) { range in for i in range { pr[i] = K.apply(s, pb[i]) } }
    } else if n > 0 {
      let sa = strides(a.shape, to: out), sb = strides(b.shape, to: out)
      let inner = out.last ?? 1
      let ia = sa.last ?? 0, ib = sb.last ?? 0
      let rows = n / inner
      let outerShape = Array(out.dropLast())
      Parallel.forEachChunk(rows, minPerThread: max(1, 32768 / max(inner, 1)), align: 1) { range in
        for row in range {
          var rem = row, oa = 0, ob = 0
          for d in stride(from: outerShape.count - 1, through: 0, by: -1) {
            let idx = rem % outerShape[d]
            rem /= outerShape[d]
            oa += idx * sa[d]
            ob += idx * sb[d]
          }
          let dst = pr + row * inner, xa = pa + oa, xb = pb + ob
          switch (ia, ib) {
          case (1, 1): for j in 0..<inner { dst[j] = K.apply(xa[j], xb[j]) }
          case (1, 0): let v = xb[0]; for j in 0..<inner { dst[j] = K.apply(xa[j], v) }
          case (0, 1): let v = xa[0]; for j in 0..<inner { dst[j] = K.apply(v, xb[j]) }
          default: let v = K.apply(xa[0], xb[0]); for j in 0..<inner { dst[j] = v }
          }
        }
      }
    }
    return Tensor(shape: out, storage: r)
  }
}

/// A scalar binary function, specialised into the broadcasting loops.
protocol BinaryKernel { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaxKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b } }
enum MinKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b } }
/// 1 where a >= b, else 0.
enum GreaterEqualKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}
/// 1 where a > b, else 0.
enum GreaterKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}
/// 1 where a == b, else 0.
enum EqualKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}
