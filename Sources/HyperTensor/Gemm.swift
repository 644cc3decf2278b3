import CKernels
import Synchronization

/// Row-major single-precision GEMM: the cache-blocked CKernels kernel (packing of A and B panels; a 6 x 16
/// register tile, or 6 x 64 with AVX-512 when there are at least 64 output columns) driven here, split over
/// `Parallel.threads` workers without shared packing.
public enum Gemm {
  /// Block sizes: rows of A per packed block (MC), depth (KC), columns of B per packed panel (NC).
  public struct Blocking: Sendable {
    public var mc = 120, kc = 256, nc = 512
  }
  nonisolated(unsafe) public static var blocking = Blocking()
  /// Floating-point operations (2 m n k per product) of every GEMM so far (counted by `GemmProfile.measure`);
  /// benchmarks read it to report a workload's GEMM share of the FMA peak.
  public static let flopCount = Atomic<Int>(0)

  private struct View {  // element (i, j) at p[i * rs + j * cs]
    var p: UnsafePointer<Float>
    var rs: Int, cs: Int
    var transposed: View { View(p: p, rs: cs, cs: rs) }
    func offset(_ i: Int, _ j: Int) -> View { View(p: p + i * rs + j * cs, rs: rs, cs: cs) }
  }

  private struct MutView {
    var p: UnsafeMutablePointer<Float>
    var rs: Int, cs: Int
    func offset(_ i: Int, _ j: Int) -> MutView { MutView(p: p + i * rs + j * cs, rs: rs, cs: cs) }
  }

  /// Optional epilogue of a fused linear layer: add `bias[j]` to column j, then apply ReLU.
  public struct Epilogue {
    public var bias: UnsafePointer<Float>?
    public var relu: Bool
    public init(bias: UnsafePointer<Float>? = nil, relu: Bool = false) {
      self.bias = bias
      self.relu = relu
    }
    var isIdentity: Bool { bias == nil && !relu }
    func shifted(_ j: Int) -> Epilogue { Epilogue(bias: bias.map { $0 + j }, relu: relu) }
    public static let none = Epilogue()

    /// Applies the epilogue to a finished m x n block.
    func apply(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, threads: Int) {
      if isIdentity { return }
      Parallel.forEachChunk(m, minPerThread: Swift.max(1, 16384 / Swift.max(n, 1)), align: 1, workers: threads) { rows in
        hk_bias_act(c + rows.lowerBound * ldc, rows.count, n, ldc, bias, relu ? 1 : 0)
      }
    }
  }

  /// C[m x n] = epilogue(alpha * op(A) * op(B) + beta * C); lda/ldb/ldc are the row strides of the stored
  /// matrices.
  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                           c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue = .none,
                           threads: Int = Parallel.threads) {
    if m == 0 || n == 0 { return }
    GemmProfile.measure(flops: 2 * m * n * k, { "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)x\(n)x\(k)" }) {
      product(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc, epilogue: epilogue, threads: threads)
    }
  }

  /// `sgemm` without the accounting (also the body of each product of `sgemmBatched`).
  private static func product(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                              c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue, threads: Int) {
    let A = transA ? View(p: a, rs: 1, cs: lda) : View(p: a, rs: lda, cs: 1)
    let B = transB ? View(p: b, rs: 1, cs: ldb) : View(p: b, rs: ldb, cs: 1)
    let C = MutView(p: c, rs: ldc, cs: 1)
    if !transA && n <= 6 && m >= 64 && k >= 8 {
      narrow(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: B, beta: beta, c: c, ldc: ldc, threads: threads)
      epilogue.apply(c, m: m, n: n, ldc: ldc, threads: threads)
    } else if n < Int(HK_GEMM_NR) && m > n {
      // C^T = op(B)^T op(A)^T puts the narrow dimension on the micro-tile's short side.
      blocked(m: n, n: m, k: k, alpha: alpha, a: B.transposed, b: A.transposed, beta: beta,
              c: MutView(p: c, rs: 1, cs: ldc), epilogue: .none, threads: threads)
      epilogue.apply(c, m: m, n: n, ldc: ldc, threads: threads)
    } else {
      blocked(m: m, n: n, k: k, alpha: alpha, a: A, b: B, beta: beta, c: C, epilogue: epilogue, threads: threads)
    }
  }

  /// The tile for a product with n output columns: the wide AVX-512 one when it has at least 64 columns.
  private static func tile(columns n: Int) -> (wide: Bool, mr: Int, nr: Int) {
    let wide = hk_gemm_has_wide() != 0 && n >= Int(HK_GEMM_WIDE_NR)
    return (wide, Int(HK_GEMM_MR), Int(wide ? HK_GEMM_WIDE_NR : HK_GEMM_NR))
  }

  private static func serial(m: Int, n: Int, k: Int, alpha: Float, a: View, b: View, beta: Float, c: MutView,
                             epilogue: Epilogue = .none) {
    let blk = blocking
    let (wide, mr, nr) = tile(columns: n)
    let rest = n % nr
    if wide && rest > 0 && rest <= 3 * Int(HK_GEMM_NR) {
      // A remainder of up to 48 columns costs fewer padded lanes in 16-wide tiles than in one 64-wide tile
      // (at the price of packing A a second time, small next to the product for the shapes that reach here).
      let nw = n - rest
      serial(m: m, n: nw, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, epilogue: epilogue)
      serial(m: m, n: rest, k: k, alpha: alpha, a: a, b: b.offset(0, nw), beta: beta, c: c.offset(0, nw),
             epilogue: epilogue.shifted(nw))
      return
    }
    let kc = max(1, min(blk.kc, k))
    let na = (blk.mc + mr - 1) / mr * mr * kc, nb = (min(blk.nc, n) + nr - 1) / nr * nr * kc
    let buf = TensorStorage(uninitializedCount: na + nb)
    hk_sgemm(m, n, k, alpha, a.p, a.rs, a.cs, b.p, b.rs, b.cs, beta, c.p, c.rs, c.cs,
             blk.mc, blk.kc, blk.nc, buf.pointer, buf.pointer + na, epilogue.bias, epilogue.relu ? 1 : 0, wide ? 1 : 0)
  }

  private static func blocked(m: Int, n: Int, k: Int, alpha: Float, a: View, b: View, beta: Float, c: MutView,
                              epilogue: Epilogue, threads: Int) {
    let flops = 2 * m * n * k
    let t = max(1, min(threads, flops / 2_000_000 + 1))
    if t == 1 {
      serial(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, epilogue: epilogue)
      return
    }
    let (_, mr, nr) = tile(columns: n)
    if k >= 4 * max(m, n) && k >= t * blocking.kc {
      // Split the depth: each worker forms a partial product; worker 0 writes C, the rest are added.
      let per = ((k + t - 1) / t + blocking.kc - 1) / blocking.kc * blocking.kc
      let partial = TensorStorage(uninitializedCount: (t - 1) * m * n)
      Parallel.run(t, workers: t) { w in
        let k0 = min(k, w * per), kk = min(per, k - k0)
        let cw = w == 0 ? c : MutView(p: partial.pointer + (w - 1) * m * n, rs: n, cs: 1)
        serial(m: m, n: n, k: kk, alpha: alpha, a: a.offset(0, k0), b: b.offset(k0, 0), beta: w == 0 ? beta : 0, c: cw)
      }
      for w in 1..<t {
        let src = partial.pointer + (w - 1) * m * n
        for i in 0..<m {
          let row = c.p + i * c.rs, s = src + i * n
          for j in 0..<n { row[j * c.cs] += s[j] }
        }
      }
      if !epilogue.isIdentity {
        precondition(c.cs == 1, "a GEMM epilogue needs a row-major C")
        epilogue.apply(c.p, m: m, n: n, ldc: c.rs, threads: t)
      }
    } else if m >= n || n < t * nr {
      let per = ((m + t - 1) / t + mr - 1) / mr * mr
      Parallel.run(t, workers: t) { w in
        let i0 = min(m, w * per), mm = min(per, m - i0)
        if mm > 0 {
          serial(m: mm, n: n, k: k, alpha: alpha, a: a.offset(i0, 0), b: b, beta: beta, c: c.offset(i0, 0), epilogue: epilogue)
        }
      }
    } else {
      let per = ((n + t - 1) / t + nr - 1) / nr * nr
      Parallel.run(t, workers: t) { w in
        let j0 = min(n, w * per), nn = min(per, n - j0)
        if nn > 0 {
          serial(m: m, n: nn, k: k, alpha: alpha, a: a, b: b.offset(0, j0), beta: beta, c: c.offset(0, j0),
                 epilogue: epilogue.shifted(j0))
        }
      }
    }
  }

  /// n <= 6 output columns: copy op(B) as rows and stream A once with the narrow kernel.
  private static func narrow(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: View,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    let bt = TensorStorage(uninitializedCount: n * k)
    for j in 0..<n { for p in 0..<k { bt.pointer[j * k + p] = b.p[p * b.rs + j * b.cs] } }
    let t = max(1, min(threads, m / 256))
    let per = ((m + t - 1) / t + 3) / 4 * 4
    Parallel.run(t, workers: t) { w in
      let i0 = min(m, w * per), i1 = min(m, i0 + per)
      if i0 < i1 { hk_sgemm_narrow(i0, i1, n, k, alpha, a, lda, bt.pointer, beta, c, ldc) }
    }
  }

  /// `batch` independent products; operands advance by their batch strides (0 broadcasts one matrix),
  /// and the epilogue's bias by `biasStride` floats per product.
  public static func sgemmBatched(batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                  a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                  b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
                                  epilogue: Epilogue = .none, biasStride: Int = 0,
                                  threads: Int = Parallel.threads) {
    guard batch > 0, m > 0, n > 0 else { return }
    func one(_ i: Int, threads: Int) {
      product(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + i * strideA, lda: lda,
              b: b + i * strideB, ldb: ldb, beta: 0, c: c + i * strideC, ldc: ldc,
              epilogue: Epilogue(bias: epilogue.bias.map { $0 + i * biasStride }, relu: epilogue.relu), threads: threads)
    }
    let shape = { "\(batch) x \(transA ? "T" : "N")\(transB ? "T" : "N") \(m)x\(n)x\(k)" }
    GemmProfile.measure(flops: 2 * batch * m * n * k, shape) {
      if batch >= threads && threads > 1 {
        let per = (batch + threads - 1) / threads
        Parallel.run(threads, workers: threads) { w in
          for i in (w * per)..<min(batch, (w + 1) * per) { one(i, threads: 1) }
        }
      } else {
        for i in 0..<batch { one(i, threads: threads) }
      }
    }
  }
}
