import XCTest
import HyperTensor

/// The fused multi-head attention against its composition from public operations (head split and merge as
/// permutations, batched matmuls, softmax): values, first and second derivatives, on both GEMM variants
/// and thread counts, and against finite differences.
final class AttentionTests: XCTestCase {
  private typealias G = GradientCheck

  override func tearDown() {
    ComputeBackend.selectBest()
    Parallel.threads = 2
  }

  /// softmax(Q K^T / sqrt(d_h) + mask) V per head, composed of unfused operations.
  private func composed(_ qkv: Tensor, heads: Int, keyLengths: [Int]? = nil) -> Tensor {
    let b = qkv.shape[0], t = qkv.shape[1], dim = qkv.shape[2] / 3, dh = dim / heads
    let split = qkv.reshaped([b, t, 3, heads, dh]).permuted([2, 0, 3, 1, 4])
    func part(_ j: Int) -> Tensor { split.slice(axis: 0, j, j + 1).reshaped([b, heads, t, dh]) }
    var scores = part(0).matmul(part(1), transposeB: true) * (1 / Float(dh).squareRoot())
    if let n = keyLengths { scores = scores + Tensor(shape: [b, 1, 1, t], scalars: n.flatMap { k in (0..<t).map { $0 < k ? 0 : -1e9 } }) }
    let p = scores.softmax()
    return p.matmul(part(2)).permuted([0, 2, 1, 3]).reshaped([b, t, dim])
  }

  private func worst(_ x: Tensor, _ y: Tensor) -> Float {
    zip(x.scalars, y.scalars).map { abs($0 - $1) }.max() ?? 0
  }

  func testMatchesTheComposedOperationsWithGradients() {
    // (batch, tokens, dim, heads): a head narrower than the 16-column tile, one on the 6 x 64 tile, tokens
    // that are no multiple of the 6-row tile, one head.
    let cases = [(2, 5, 8, 2), (2, 70, 64, 2), (1, 20, 128, 1), (3, 96, 256, 4)]
    for isa in ComputeBackend.supported {
      XCTAssertTrue(ComputeBackend.select(isa))
      for threads in [1, 2] {
        Parallel.threads = threads
        for (b, t, dim, heads) in cases {
          let qkv = G.random([b, t, 3 * dim], seed: UInt64(b * 1000 + t), low: -2, high: 2).requiringGrad()
          let w = G.random([b, t, dim], seed: 5)
          let fused = qkv.attention(heads: heads), reference = composed(qkv, heads: heads)
          let what = "\(isa.name) t=\(threads) [\(b), \(t), 3 x \(dim)] heads \(heads)"
          XCTAssertEqual(fused.shape, [b, t, dim])
          XCTAssertLessThanOrEqual(worst(fused, reference), 2e-6, what)
          let gf = gradients(of: (fused * w).sum(), wrt: [qkv])[0], gr = gradients(of: (reference * w).sum(), wrt: [qkv])[0]
          XCTAssertLessThanOrEqual(worst(gf, gr), 2e-5, "gradient, \(what)")
        }
      }
    }
  }

  /// Attention for a range of query tokens equals the full attention's rows there, value and gradient
  /// (including the zero query gradient of the other tokens), on every kernel variant and thread count.
  func testQueryRowsMatchTheFullAttentionsRows() {
    for isa in ComputeBackend.supported {
      XCTAssertTrue(ComputeBackend.select(isa))
      for threads in [1, 2] {
        Parallel.threads = threads
        for (b, t, dim, heads, rows) in [(2, 9, 24, 2, 3..<9), (1, 96, 256, 4, 64..<96), (2, 7, 12, 1, 0..<4), (1, 5, 8, 2, 2..<3)] {
          let qkv = G.random([b, t, 3 * dim], seed: UInt64(t * 7 + dim), low: -2, high: 2).requiringGrad()
          let w = G.random([b, rows.count, dim], seed: 9)
          let part = qkv.attention(heads: heads, queries: rows)
          let full = qkv.attention(heads: heads).slice(axis: 1, rows.lowerBound, rows.upperBound)
          let what = "\(isa.name) t=\(threads) [\(b), \(t), 3 x \(dim)] heads \(heads) queries \(rows)"
          XCTAssertEqual(part.shape, [b, rows.count, dim], what)
          XCTAssertLessThanOrEqual(worst(part, full), 1e-6, what)
          let gp = gradients(of: (part * w).sum(), wrt: [qkv])[0], gf = gradients(of: (full * w).sum(), wrt: [qkv])[0]
          XCTAssertLessThanOrEqual(worst(gp, gf), 2e-5, "gradient, \(what)")
        }
      }
    }
  }

  /// Key lengths mask padding: the same as the composition with an additive mask (values, gradients, every
  /// kernel variant and thread count); a padded sequence's valid rows are what it gives alone, and no
  /// gradient of them reaches its padded keys and values.
  func testKeyLengthsMaskPadding() {
    let lengths = [4, 7], valid = 4
    for isa in ComputeBackend.supported {
      XCTAssertTrue(ComputeBackend.select(isa))
      for threads in [1, 2] {
        Parallel.threads = threads
        let what = "\(isa.name) t=\(threads)"
        let qkv = G.random([2, 7, 72], seed: 67, low: -2, high: 2).requiringGrad(), w = G.random([2, 7, 24], seed: 68)
        let fused = qkv.attention(heads: 2, keyLengths: lengths), reference = composed(qkv, heads: 2, keyLengths: lengths)
        XCTAssertLessThanOrEqual(worst(fused, reference), 2e-6, what)
        let gf = gradients(of: (fused * w).sum(), wrt: [qkv])[0], gr = gradients(of: (reference * w).sum(), wrt: [qkv])[0]
        XCTAssertLessThanOrEqual(worst(gf, gr), 2e-5, "gradient, \(what)")
        let alone = qkv.slice(axis: 0, 0, 1).slice(axis: 1, 0, valid).attention(heads: 2)
        XCTAssertLessThanOrEqual(worst(fused.slice(axis: 0, 0, 1).slice(axis: 1, 0, valid), alone), 1e-6, "valid rows, \(what)")
        let g = gradients(of: (fused.slice(axis: 0, 0, 1).slice(axis: 1, 0, valid) * w.slice(axis: 0, 0, 1).slice(axis: 1, 0, valid)).sum(), wrt: [qkv])[0]
        XCTAssertEqual(g.slice(axis: 0, 0, 1).slice(axis: 1, valid, 7).slice(axis: 2, 24, 72).scalars.map(abs).max(), 0, "padded keys and values, \(what)")
      }
    }
    // Recorded (second-order) backward: still exactly zero for the padded keys and values.
    let x0 = G.random([2, 7, 72], seed: 72, low: -2, high: 2).requiringGrad()
    let recorded = gradients(of: x0.attention(heads: 2, keyLengths: lengths).slice(axis: 0, 0, 1).slice(axis: 1, 0, valid).square().sum(),
                             wrt: [x0], createGraph: true)[0]
    XCTAssertEqual(recorded.slice(axis: 0, 0, 1).slice(axis: 1, valid, 7).slice(axis: 2, 24, 72).scalars.map(abs).max(), 0, "recorded backward")
    // Queries and key lengths together: the composition's rows.
    let qkv = G.random([2, 7, 72], seed: 73, low: -2, high: 2)
    XCTAssertLessThanOrEqual(worst(qkv.attention(heads: 2, queries: 2..<5, keyLengths: lengths),
                                   composed(qkv, heads: 2, keyLengths: lengths).slice(axis: 1, 2, 5)), 2e-6)
    G.check([G.random([2, 5, 24], seed: 69, low: -1.5, high: 1.5)], maxElements: 240) { $0[0].attention(heads: 2, keyLengths: [2, 5]) }
    G.check([G.random([2, 5, 24], seed: 74, low: -1.5, high: 1.5)], maxElements: 240) { $0[0].attention(heads: 2, queries: 1..<4, keyLengths: [2, 5]) }
    let x = G.random([2, 6, 24], seed: 70).requiringGrad(), v = G.random([2, 6, 24], seed: 71)
    func secondGradient(_ f: (Tensor) -> Tensor) -> Tensor {
      let g = gradients(of: (f(x) * f(x)).sum(), wrt: [x], createGraph: true)[0]
      return gradients(of: (g * v).sum(), wrt: [x])[0]
    }
    XCTAssertLessThanOrEqual(worst(secondGradient { $0.attention(heads: 2, keyLengths: [3, 6]) },
                                   secondGradient { composed($0, heads: 2, keyLengths: [3, 6]) }), 1e-4)
  }

  func testFiniteDifferences() {
    G.check([G.random([2, 6, 24], seed: 65, low: -1.5, high: 1.5)], maxElements: 288) { $0[0].attention(heads: 2, queries: 2..<5) }
    G.check([G.random([2, 5, 24], seed: 60, low: -1.5, high: 1.5)], maxElements: 240) { $0[0].attention(heads: 2) }
    G.check([G.random([1, 7, 12], seed: 61, low: -1.5, high: 1.5)], maxElements: 84) { $0[0].attention(heads: 1) }
  }

  func testSecondOrder() {
    G.checkSecondOrder(G.random([1, 3, 12], seed: 62)) { $0.attention(heads: 2) * $0.slice(axis: 2, 0, 4) }
    // The recorded backward equals the composition's.
    let x = G.random([2, 6, 24], seed: 63).requiringGrad(), v = G.random([2, 6, 24], seed: 64)
    func secondGradient(_ f: (Tensor) -> Tensor) -> Tensor {
      let g = gradients(of: (f(x) * f(x)).sum(), wrt: [x], createGraph: true)[0]
      return gradients(of: (g * v).sum(), wrt: [x])[0]
    }
    XCTAssertLessThanOrEqual(worst(secondGradient { $0.attention(heads: 2) }, secondGradient { composed($0, heads: 2) }), 1e-4)
    let rows = 1..<4
    XCTAssertLessThanOrEqual(worst(secondGradient { $0.attention(heads: 2, queries: rows) },
                                   secondGradient { composed($0, heads: 2).slice(axis: 1, rows.lowerBound, rows.upperBound) }), 1e-4)
    G.checkSecondOrder(G.random([1, 4, 12], seed: 66)) { $0.attention(heads: 2, queries: 1..<3) * $0.slice(axis: 2, 0, 4).slice(axis: 1, 1, 3) }
  }

  /// Pins the layout: with Q = K = 0 every token attends uniformly, so each output row is the mean of V's
  /// rows, column for column (head h's columns at h * d_h, as V's).
  func testUniformAttentionAveragesValues() {
    let t = 3, dim = 4, heads = 2
    var values = [Float](repeating: 0, count: t * 3 * dim)
    for i in 0..<t { for c in 0..<dim { values[i * 3 * dim + 2 * dim + c] = Float(100 * c + i) } }  // V only
    let out = Tensor(shape: [1, t, 3 * dim], scalars: values).attention(heads: heads)
    for i in 0..<t { for c in 0..<dim { XCTAssertEqual(out.scalars[i * dim + c], Float(100 * c) + 1, accuracy: 1e-3) } }
  }
}
