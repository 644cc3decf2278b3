import XCTest
import CKernels
import HyperTensor
import Foundation

/// The CPU kernels against straightforward Double-precision references, for every instruction-set variant
/// this CPU supports.
final class KernelTests: XCTestCase {
  override func tearDown() {
    ComputeBackend.selectBest()
    Parallel.threads = 2
  }

  private func variants(_ body: (String) -> Void) {
    for isa in ComputeBackend.supported {
      XCTAssertTrue(ComputeBackend.select(isa))
      body(isa.name)
    }
    ComputeBackend.selectBest()
  }

  private func naiveGemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, tA: Bool, tB: Bool) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let av = tA ? a[p * m + i] : a[i * k + p]
          let bv = tB ? b[j * k + p] : b[p * n + j]
          s += Double(av) * Double(bv)
        }
        c[i * n + j] = s
      }
    }
    return c
  }

  func testGemmShapesLayoutsThreadsAndVariants() {
    let shapes = [(1, 1, 1), (5, 7, 3), (17, 33, 65), (130, 300, 40), (200, 3, 48), (100, 5, 7), (50, 10, 20),
                  (16, 16, 4096), (6, 16, 256), (301, 129, 513), (70, 64, 33), (70, 63, 33), (1024, 20, 30), (40, 50, 13), (130, 5, 29)]
    variants { isa in
      for threads in [1, 2] {
        Parallel.threads = threads
        var rng = RandomGenerator(seed: 77)
        for (m, n, k) in shapes {
          for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.uniform(tA ? [k, m] : [m, k], low: -1, high: 1, rng: &rng)
            let b = Tensor.uniform(tB ? [n, k] : [k, n], low: -1, high: 1, rng: &rng)
            let c = a.matmul(b, transposeA: tA, transposeB: tB).scalars
            let ref = naiveGemm(a.scalars, b.scalars, m: m, n: n, k: k, tA: tA, tB: tB)
            let tol = 2e-6 * Double(k) + 1e-5
            let worst = zip(c, ref).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, tol, "\(isa) threads \(threads) \(m)x\(n)x\(k) tA \(tA) tB \(tB)")
          }
        }
      }
    }
  }

  /// The AVX-512 tile accumulates in the same order as the AVX2 one, so results agree bit for bit (what
  /// makes runs reproducible across the two; docs/ARCHITECTURE.md, Randomness).
  func testAVX512AndAVX2GemmAgreeBitwise() throws {
    guard ComputeBackend.supported.contains(.avx512) else { throw XCTSkip("this CPU has no AVX-512") }
    var rng = RandomGenerator(seed: 78)
    for (m, n, k) in [(130, 300, 40), (301, 129, 513), (70, 64, 33), (64, 256, 1100), (4096, 128, 128)] {
      for (tA, tB) in [(false, false), (true, false), (false, true)] {
        let a = Tensor.uniform(tA ? [k, m] : [m, k], low: -1, high: 1, rng: &rng)
        let b = Tensor.uniform(tB ? [n, k] : [k, n], low: -1, high: 1, rng: &rng)
        let bias = Tensor.uniform([n], low: -1, high: 1, rng: &rng)
        let results = [ComputeBackend.ISA.avx2, .avx512].map { isa -> [[Float]] in
          XCTAssertTrue(ComputeBackend.select(isa))
          return [a.matmul(b, transposeA: tA, transposeB: tB).scalars,
                  tA ? [] : a.linear(weight: b, bias: bias, relu: true, weightIsInOut: !tB).scalars]
        }
        let (x, y) = (Array(results[0].joined()), Array(results[1].joined()))
        XCTAssertEqual(x.count, y.count)
        XCTAssertEqual(zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count, 0,
                       "elements that differ between the variants, \(m)x\(n)x\(k) tA \(tA) tB \(tB)")
      }
    }
    ComputeBackend.selectBest()
  }

  func testGemmAccumulatesWithBeta() {
    let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
    var c: [Float] = [1, 1, 1, 1]
    Gemm.sgemm(transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 2, a: a, lda: 2, b: b, ldb: 2,
               beta: 0.5, c: &c, ldc: 2)
    XCTAssertEqual(c, [38.5, 44.5, 86.5, 100.5])
  }

  private func check(_ name: String, _ xs: [Float], tol: Double, relative: Bool = false,
                     _ op: (Tensor) -> Tensor, _ ref: (Double) -> Double) {
    let got = op(Tensor(xs)).scalars
    var worst = 0.0, at: Float = 0
    for (x, y) in zip(xs, got) {
      let r = ref(Double(x))
      let e = relative ? abs(Double(y) - r) / max(abs(r), 1e-30) : abs(Double(y) - r)
      if e > worst { worst = e; at = x }
    }
    XCTAssertLessThanOrEqual(worst, tol, "\(name) (\(ComputeBackend.isaName)): worst error \(worst) at x = \(at)")
  }

  func testPolynomialMathAccuracy() {
    func grid(_ lo: Float, _ hi: Float, _ n: Int = 20011) -> [Float] {
      (0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) }
    }
    variants { _ in
      check("exp", grid(-80, 80), tol: 3e-7, relative: true, { $0.exp() }, Foundation.exp)
      check("log", grid(1e-3, 1e4) + [1e-30, 3e-20, 7e25], tol: 2e-7, relative: true, { $0.log() }, Foundation.log)
      check("sin", grid(-100, 100), tol: 1e-6, { $0.sin() }, Foundation.sin)
      check("cos", grid(-100, 100), tol: 1e-6, { $0.cos() }, Foundation.cos)
      check("sin large", grid(-3000, 3000), tol: 2e-6, { $0.sin() }, Foundation.sin)
      check("tanh", grid(-12, 12), tol: 3e-7, { $0.tanh() }, Foundation.tanh)
      check("tanh small", grid(-0.6, 0.6), tol: 5e-7, relative: true, { $0.tanh() }, Foundation.tanh)
      check("sigmoid", grid(-30, 30), tol: 3e-7, { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) })
      check("erf", grid(-5, 5), tol: 3e-7, { $0.erf() }, Foundation.erf)
      check("gelu erf", grid(-8, 8), tol: 1e-6, { $0.geluErf() }, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) })
      check("gelu erf derivative", grid(-8, 8), tol: 1e-6, { x in
        let v = x.requiringGrad()
        return gradients(of: v.geluErf().sum(), wrt: [v])[0]
      }, { 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) + $0 * Foundation.exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() })
      // Upstream gradient x (the fused kernel multiplies by it): the result is x GELU'(x).
      check("gelu erf backward", grid(-8, 8), tol: 4e-6, { x in
        let v = x.requiringGrad()
        return gradients(of: (v.geluErf() * x).sum(), wrt: [v])[0]
      }, { $0 * (0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) + $0 * Foundation.exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot()) })
      check("gelu tanh", grid(-8, 8), tol: 1e-6, { $0.geluTanh() }, {
        0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0)))
      })
      check("softplus", grid(-30, 30), tol: 1e-6, { $0.softplus() }, { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) })
    }
  }

  func testSpecialValues() {
    variants { isa in
      let l = Tensor([0, -1, .infinity, .nan]).log().scalars
      XCTAssertEqual(l[0], -.infinity, isa)
      XCTAssert(l[1].isNaN && l[3].isNaN, isa)
      XCTAssertEqual(l[2], .infinity, isa)
      let e = Tensor([-1000, 1000, .nan]).exp().scalars
      XCTAssertLessThan(e[0], 1e-37, isa)
      XCTAssertGreaterThan(e[1], 1e38, isa)
      XCTAssert(e[2].isNaN, isa)
      XCTAssertEqual(Tensor([-1000, 1000]).tanh().scalars, [-1, 1], isa)
    }
  }

  /// The vectorised Adam update gives every element the bits of the scalar loop (each element updated
  /// alone, n = 1), in all three weight-decay modes, so resumed runs continue exactly across versions.
  func testAdamVectorsMatchScalarUpdateBitwise() {
    var rng = RandomGenerator(seed: 79)
    let n = 37
    let p0 = Tensor.normal([n], rng: &rng).scalars, g = Tensor.normal([n], rng: &rng).scalars
    let m0 = Tensor.normal([n], rng: &rng).scalars.map { $0 * 0.1 }, v0 = Tensor.uniform([n], low: 0, high: 0.5, rng: &rng).scalars
    variants { isa in
      for mode: Int32 in [0, 1, 2] {
        var (p, m, v) = (p0, m0, v0)
        hk_adam(&p, g, &m, &v, n, 1e-2, 0.9, 0.999, 1e-8, 0.1, mode, 1 - 0.9 * 0.9, 1 - 0.999 * 0.999)
        var (ps, ms, vs) = (p0, m0, v0)
        g.withUnsafeBufferPointer { gp in
          for i in 0..<n {
            hk_adam(&ps[i], gp.baseAddress! + i, &ms[i], &vs[i], 1, 1e-2, 0.9, 0.999, 1e-8, 0.1, mode, 1 - 0.9 * 0.9, 1 - 0.999 * 0.999)
          }
        }
        XCTAssertEqual(p.map(\.bitPattern), ps.map(\.bitPattern), "\(isa) mode \(mode): parameters")
        XCTAssertEqual(m.map(\.bitPattern), ms.map(\.bitPattern), "\(isa) mode \(mode): first moments")
        XCTAssertEqual(v.map(\.bitPattern), vs.map(\.bitPattern), "\(isa) mode \(mode): second moments")
        XCTAssertNotEqual(p, p0)
      }
    }
  }

  /// isAllFinite finds one NaN or infinity at any position (vector body or scalar tail) and accepts the
  /// largest finite values.
  func testAllFiniteFindsEveryNonFiniteValue() {
    variants { isa in
      let finite = [Float](repeating: 1, count: 22) + [Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, -0.0]  // 25: a scalar tail
      XCTAssertTrue(Tensor(finite).isAllFinite, isa)
      for bad in [Float.nan, .infinity, -.infinity] {
        for i in finite.indices {
          var xs = finite
          xs[i] = bad
          XCTAssertFalse(Tensor(xs).isAllFinite, "\(isa): \(bad) at \(i)")
        }
      }
    }
  }

  /// Column sums (sum over axis -2) against a Double reference: narrow and wide rows (64- and 8-column
  /// strips and single columns), many row blocks, split and whole-block worker splits, every ISA variant.
  func testColumnSumsAgainstDoubleReference() {
    variants { isa in
      for threads in [1, 2] {
        Parallel.threads = threads
        var rng = RandomGenerator(seed: 81)
        for shape in [[1000, 203], [3, 500, 70], [40, 9], [70000, 1], [2, 33000, 2]] {
          let x = Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
          let got = x.sum(axis: -2).scalars, xs = x.scalars
          let r = shape[shape.count - 2], d = shape.last!, outer = x.count / (r * d)
          for o in 0..<outer {
            for j in 0..<d {
              var ref = 0.0
              for i in 0..<r { ref += Double(xs[(o * r + i) * d + j]) }
              XCTAssertEqual(Double(got[o * d + j]), ref, accuracy: 1e-6 * Double(r) + 1e-5, "\(isa) t=\(threads) \(shape) [\(o), \(j)]")
            }
          }
        }
      }
    }
  }

  /// The ReLU layer's backward without a recorded graph gates the gradient and sums the bias gradient in
  /// one pass (hk_relu_gate_colsum_add); its gradients equal the recorded composition's bit for bit, over
  /// narrow, wide and split reductions, batched layers, both thread counts and every ISA variant.
  func testFusedReluBiasBackwardMatchesComposition() {
    let cases: [(x: [Int], w: [Int], b: [Int])] = [([5, 4], [3, 4], [3]), ([300, 17], [70, 17], [70]), ([4096, 8], [20, 8], [20]),
                                                  ([3, 200, 9], [3, 130, 9], [3, 130]), ([64, 5], [1, 5], [1]), ([1024, 6], [203, 6], [203]),
                                                  ([0, 5], [7, 5], [7])]
    variants { isa in
      for threads in [1, 2] {
        Parallel.threads = threads
        var rng = RandomGenerator(seed: 80)
        for (xs, ws, bs) in cases {
          let x = Tensor.uniform(xs, low: -1, high: 1, rng: &rng).requiringGrad()
          let w = Tensor.uniform(ws, low: -1, high: 1, rng: &rng).requiringGrad()
          let b = Tensor.uniform(bs, low: -0.5, high: 0.5, rng: &rng).requiringGrad()
          let y = x.linear(weight: w, bias: b, relu: true)
          let seed = Tensor.uniform(y.shape, low: -1, high: 1, rng: &rng)
          let fused = gradients(of: y, wrt: [x, w, b], seed: seed)
          let composed = gradients(of: y, wrt: [x, w, b], seed: seed, createGraph: true)
          for (i, (f, c)) in zip(fused, composed).enumerated() {
            XCTAssertEqual(f.shape, c.shape)
            XCTAssertEqual(f.scalars.map(\.bitPattern), c.scalars.map(\.bitPattern), "\(isa) t=\(threads) x \(xs): gradient \(i)")
          }
          if xs[0] == 0 {
            XCTAssertEqual(fused[2].scalars, [Float](repeating: 0, count: 7), "\(isa): no rows, zero bias gradient")
          } else {
            XCTAssertTrue(b.shape == [1] || fused[2].scalars.contains { $0 != 0 })
          }
        }
      }
    }
  }

  func testFusedRowKernelsAgainstComposites() {
    var rng = RandomGenerator(seed: 5)
    for d in [3, 8, 37] {
      let x = Tensor.uniform([9, d], low: -4, high: 4, rng: &rng)
      let sm = x.softmax().scalars
      let e = (x - x.max(axis: -1, keepdims: true)).exp()
      let ref = (e / e.sum(axis: -1, keepdims: true)).scalars
      for (a, b) in zip(sm, ref) { XCTAssertEqual(a, b, accuracy: 1e-6) }
      let ls = x.logSoftmax().scalars
      for (a, b) in zip(ls, ref) { XCTAssertEqual(a, Float(Foundation.log(Double(b))), accuracy: 2e-5) }
      let ln = x.layerNorm().scalars
      let c = x - x.mean(axis: -1, keepdims: true)
      let lref = (c / (c.square().mean(axis: -1, keepdims: true) + 1e-5).sqrt()).scalars
      for (a, b) in zip(ln, lref) { XCTAssertEqual(a, b, accuracy: 2e-5) }
    }
  }
}
