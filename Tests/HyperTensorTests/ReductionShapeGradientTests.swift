import XCTest
import HyperTensor

final class ReductionShapeGradientTests: XCTestCase {
  typealias G = GradientCheck

  func testReductions() {
    let x = G.random([2, 3, 4], seed: 20)
    G.check([x]) { $0[0].sum() }
    G.check([x]) { $0[0].sum(axes: [0, 2]) }
    G.check([x]) { $0[0].sum(axis: 1, keepdims: true) }
    G.check([x]) { $0[0].mean(axis: -1) }
    G.check([x]) { $0[0].mean(axes: [0, 1], keepdims: true) }
    G.check([x]) { $0[0].max(axis: 2) }
    G.check([x]) { $0[0].max(axes: [0, 1], keepdims: true) }
    G.check([x]) { $0[0].variance(axis: 1) }
    G.check([x]) { $0[0].variance(axes: [2], keepdims: true, unbiased: true) }
  }

  func testShapeOperations() {
    let x = G.random([2, 3, 4], seed: 21)
    G.check([x]) { $0[0].reshaped([6, 4]) * $0[0].reshaped([6, 4]) }
    G.check([x]) { $0[0].permuted([2, 0, 1]) }
    G.check([x]) { $0[0].transposed(1, 2) }
    G.check([x]) { $0[0].transposed(0, 1) }
    G.check([G.random([3, 1], seed: 22)]) { $0[0].broadcast(to: [2, 3, 4]) }
    G.check([x]) { $0[0].slice(axis: 1, 1, 3) }
    G.check([x, G.random([2, 2, 4], seed: 23)]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
    G.check([x, x.affine(scale: 2, shift: 0)]) { Tensor.stack([$0[0], $0[1]], axis: 1) }
    G.check([x]) { $0[0].gather(axis: 1, indices: [2, 0, 2, 1]) }
    G.check([x]) { $0[0].gather(axis: 2, indices: [3, 3, 0]) }
    G.check([x]) { $0[0].scatterAdd(axis: 0, indices: [1, 1], length: 3) }
    G.check([x]) { $0[0].unsqueezed(1).sum(axis: 2) }
  }

  func testMatmulAllLayouts() {
    let a = G.random([3, 4], seed: 30), b = G.random([4, 5], seed: 31)
    G.check([a, b]) { $0[0].matmul($0[1]) }
    G.check([a.transposed().detached(), b]) { $0[0].matmul($0[1], transposeA: true) }
    G.check([a, b.transposed().detached()]) { $0[0].matmul($0[1], transposeB: true) }
    G.check([a.transposed().detached(), b.transposed().detached()]) {
      $0[0].matmul($0[1], transposeA: true, transposeB: true)
    }
    let ba = G.random([2, 3, 4], seed: 32), bb = G.random([2, 4, 5], seed: 33)
    G.check([ba, bb]) { $0[0].matmul($0[1]) }
    G.check([ba, G.random([2, 5, 4], seed: 34)]) { $0[0].matmul($0[1], transposeB: true) }
    G.check([G.random([2, 4, 3], seed: 35), bb]) { $0[0].matmul($0[1], transposeA: true) }
    G.check([ba, b]) { $0[0].matmul($0[1]) }  // shared right operand
    G.check([a, bb]) { $0[0].matmul($0[1]) }  // shared left operand
    G.check([G.random([2, 4, 3], seed: 36), b]) { $0[0].matmul($0[1], transposeA: true) }
    G.check([G.random([2, 2, 3, 4], seed: 37), G.random([2, 2, 5, 4], seed: 38)]) {
      $0[0].matmul($0[1], transposeB: true)
    }
  }

  func testFusedLinear() {
    let x = G.random([2, 3, 4], seed: 46), w = G.random([5, 4], seed: 47), b = G.random([5], seed: 48)
    G.check([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
    G.check([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2], relu: true) }
    G.check([x, w.transposed().detached()]) { $0[0].linear(weight: $0[1], bias: nil, weightIsInOut: true) }
    let ref = (x.matmul(w, transposeB: true) + b).relu().scalars
    for (a, r) in zip(x.linear(weight: w, bias: b, relu: true).scalars, ref) { XCTAssertEqual(a, r, accuracy: 1e-6) }
    G.checkSecondOrder(G.random([3, 4], seed: 49)) { $0.linear(weight: w, bias: b).tanh() }
  }

  /// One layer per batch item (rank-3 weight), for per-item inputs and for one input shared by the batch.
  func testFusedLinearWithABatchOfWeights() {
    let x = G.random([2, 3, 4], seed: 50), xs = G.random([3, 4], seed: 51)
    let w = G.random([2, 4, 5], seed: 52), b = G.random([2, 1, 5], seed: 53), wt = G.random([2, 5, 4], seed: 54)
    for relu in [false, true] {
      G.check([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2], relu: relu, weightIsInOut: true) }
      G.check([xs, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2], relu: relu, weightIsInOut: true) }
      G.check([x, wt, b.reshaped([2, 5])]) { $0[0].linear(weight: $0[1], bias: $0[2], relu: relu) }
      let fused = [x.linear(weight: w, bias: b, relu: relu, weightIsInOut: true),
                   xs.linear(weight: w, bias: b, relu: relu, weightIsInOut: true)]
      let plain = [x.matmul(w) + b, xs.matmul(w) + b].map { relu ? $0.relu() : $0 }
      for (f, p) in zip(fused, plain) {
        XCTAssertEqual(f.shape, [2, 3, 5])
        for (a, r) in zip(f.scalars, p.scalars) { XCTAssertEqual(a, r, accuracy: 1e-6) }
      }
    }
    G.checkSecondOrder(G.random([2, 3, 4], seed: 55)) { $0.linear(weight: w, bias: b, weightIsInOut: true).tanh() }
  }

  func testFusedFunctionalOperations() {
    let x = G.random([3, 5], seed: 40, low: -2, high: 2)
    G.check([x]) { $0[0].softmax() }
    G.check([x]) { $0[0].softmax(axis: 0) }
    G.check([x]) { $0[0].logSoftmax() }
    G.check([x, G.random([5], seed: 41), G.random([5], seed: 42)]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
    G.check([x]) { $0[0].l2Normalized(axis: -1) }
    G.check([x]) { $0[0].l2Normalized(axis: 0) }
    G.check([x]) { $0[0].cumsum(axis: 1) }
    G.check([x]) { $0[0].cumsum(axis: 0, exclusive: true) }
    G.check([x]) { $0[0].cumsum(axis: 1, exclusive: true, reverse: true) }
    G.check([G.random([3, 5], seed: 43, low: 0.3, high: 1.5)]) { $0[0].cumprodExclusive(axis: 1) }
    G.check([x]) { xs in
      var rng = RandomGenerator(seed: 3)
      return xs[0].dropout(0.4, rng: &rng)
    }
  }

  func testSecondOrderOfFusedOperations() {
    let x = G.random([2, 4], seed: 44, low: -1, high: 1)
    G.checkSecondOrder(x) { $0.softmax() * $0 }
    G.checkSecondOrder(x) { $0.logSoftmax() * $0 }
    G.checkSecondOrder(x) { $0.layerNorm() * $0 }
    G.checkSecondOrder(x) { $0.l2Normalized() * $0 }
    G.checkSecondOrder(x) { $0.matmul($0, transposeB: true) }
    G.checkSecondOrder(x) { $0.cumsum(axis: 1) * $0 }
    G.checkSecondOrder(G.random([2, 4], seed: 45, low: 0.5, high: 1.5)) { $0.cumprodExclusive(axis: 1) * $0 }
    G.checkSecondOrder(x) { $0.variance(axis: 1) * $0.sum(axis: 1) }
  }

  /// The gradient of a function of an MLP's loss gradient (as MAML differentiates through an inner step)
  /// matches central differences of the first gradient.
  func testSecondOrderThroughMLPLossGradient() {
    var rng = RandomGenerator(seed: 50)
    let xIn = Tensor.uniform([8, 3], low: -1, high: 1, rng: &rng)
    let target = Tensor.uniform([8, 2], low: -1, high: 1, rng: &rng)
    let w2 = Tensor.uniform([6, 2], low: -0.5, high: 0.5, rng: &rng)
    let b1 = Tensor.uniform([6], low: -0.1, high: 0.1, rng: &rng)
    let w1 = Tensor.uniform([3, 6], low: -0.5, high: 0.5, rng: &rng)
    G.checkSecondOrder(w1) { w in
      let h = (xIn.matmul(w) + b1).tanh()
      let out = h.matmul(w2)
      return ((out - target).square().mean() * 8).reshaped([1])
    }
  }
}
