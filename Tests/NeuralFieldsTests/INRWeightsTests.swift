import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import XCTest

final class INRWeightsTests: XCTestCase {
  private let net = HypoNet(kind: .fourier, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 6, frequencies: 3, sigma: 4, outputBias: 0.5)

  /// A batch whose layers are partly shared ([fanIn, fanOut]) and partly per instance gives, for each
  /// instance, what that instance's own unbatched INR gives.
  func testMixedSharedAndPerInstanceLayersMatchSingleInstances() {
    var rng = RandomGenerator(seed: 1)
    let a = net.initialWeights(rng: &rng), b = net.initialWeights(rng: &rng)
    var mixed = INRWeights(packed: zip(a.packed, b.packed).map { Tensor.stack([$0, $1]) })
    mixed.layers[0] = a.layers[0]  // shared by both instances
    mixed.layers[2] = a.layers[2]
    let coords = Tensor.uniform([7, 2], low: -1, high: 1, rng: &rng)
    let out = net(coords, mixed)
    XCTAssertEqual(out.shape, [2, 7, 3])
    for i in 0..<2 {
      let single = net(coords, mixed.instance(i))
      XCTAssertEqual(out.slice(axis: 0, i, i + 1).reshaped([7, 3]).scalars, single.scalars)
    }
    XCTAssertEqual(mixed.batch, 2)
    XCTAssertEqual(mixed.instanceParameterCount, 7 * 6)  // layer 1 only: 6 x 6 weights + 6 biases
  }

  /// Running the INR one layer at a time (encode, layer k, output head) is the same function.
  func testLayerByLayerEqualsWholeNetwork() {
    for kind in HypoNet.Kind.allCases {
      let n = HypoNet(kind: kind, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 6, frequencies: 3, sigma: 4, outputBias: 0.5)
      var rng = RandomGenerator(seed: 2)
      let w = n.initialWeights(rng: &rng)
      let coords = Tensor.uniform([5, 2], low: -1, high: 1, rng: &rng)
      var h = n.encode(coords)
      for (k, l) in w.layers.enumerated() { h = n.layer(k, h, l) }
      XCTAssertEqual(n.output(h).scalars, n(coords, w).scalars, "\(kind)")
    }
  }

  /// The packed file layout round-trips, and a low-rank layer is normalize(U V) with unit columns.
  func testPackedRoundTripAndLowRankComposer() {
    var rng = RandomGenerator(seed: 3)
    let w = net.initialWeights(rng: &rng)
    XCTAssertEqual(INRWeights(packed: w.packed).packed.map(\.scalars), w.packed.map(\.scalars))
    XCTAssertEqual(w.packed.map(\.shape), [[13, 6], [7, 6], [7, 3]])
    let u = Tensor.normal([2, 6, 2], std: 1, rng: &rng), v = Tensor.normal([2, 6], std: 1, rng: &rng)
    let l = LayerWeights.lowRank(u: u, v: v, bias: Tensor.zeros([1, 6]))
    XCTAssertEqual(l.weight.shape, [2, 6, 6])
    XCTAssertEqual(l.instanceParameterCount, 12)
    for s in (l.weight * l.weight).sum(axis: 1).scalars { XCTAssertEqual(s, 1, accuracy: 1e-5) }
    // Column j of instance 0 is proportional to U_0 V[:, j].
    let col = (0..<6).map { r in u.scalars[r * 2] * v.scalars[0] + u.scalars[r * 2 + 1] * v.scalars[6] }
    let norm = col.map { $0 * $0 }.reduce(0, +).squareRoot()
    for r in 0..<6 { XCTAssertEqual(l.weight.scalars[r * 6], col[r] / norm, accuracy: 1e-5) }
    XCTAssertEqual(l.packed.shape, [2, 7, 6])
  }

  /// A low-rank layer applied through its factors, (x U)(V D) + b, equals x W + b with the composed W:
  /// values and the gradients of x, U, V and b, for shared and per-instance inputs, with ReLU and a scale.
  func testLowRankLayerThroughItsFactorsMatchesTheComposedWeight() {
    var rng = RandomGenerator(seed: 21)
    for (rank, shared) in [(2, true), (3, false), (8, true)] {  // rank 8 of 16 x 16 runs as x W itself
      let u = Tensor.normal([2, 16, rank], std: 1, rng: &rng).requiringGrad(), v = Tensor.normal([rank, 16], std: 1, rng: &rng).requiringGrad()
      let b = Tensor.normal([1, 16], std: 1, rng: &rng).requiringGrad()
      let x = Tensor.normal(shared ? [9, 16] : [2, 9, 16], std: 1, rng: &rng).requiringGrad()
      let w = Tensor.normal([2, 9, 16], std: 1, rng: &rng)
      for (scale, relu) in [(Float(1), true), (Float(30), false)] {
        let l = LayerWeights.lowRank(u: u, v: v, bias: b)
        XCTAssertEqual(l.usesFactors, rank < 8)
        let fast = l.applied(to: x, scale: scale, relu: relu)
        let plain = x.linear(weight: l.weight * scale, bias: l.linearBias * scale, relu: relu, weightIsInOut: true)
        XCTAssertEqual(fast.shape, plain.shape)
        for (p, q) in zip(fast.scalars, plain.scalars) { XCTAssertEqual(p, q, accuracy: 1e-4 * scale * (1 + abs(q))) }
        let gf = gradients(of: (fast * w).sum(), wrt: [x, u, v, b]), gp = gradients(of: (plain * w).sum(), wrt: [x, u, v, b])
        for (name, (g1, g2)) in zip(["x", "U", "V", "b"], zip(gf, gp)) {
          for (p, q) in zip(g1.scalars, g2.scalars) {
            XCTAssertEqual(p, q, accuracy: 2e-4 * scale * (1 + abs(q)), "rank \(rank) scale \(scale): d/d\(name)")
          }
        }
      }
    }
  }

  /// A probabilistic hyponet outputs the means and the scales 0.01 + 0.99 softplus(s) > 0.01.
  func testProbabilisticHeadSplitsMeanAndScale() {
    var n = net
    n.probabilistic = true
    var rng = RandomGenerator(seed: 4)
    let w = n.initialWeights(rng: &rng)
    XCTAssertEqual(n.layerShapes.last?.1, 6)
    let coords = Tensor.uniform([5, 2], low: -1, high: 1, rng: &rng)
    let out = n(coords, w)
    XCTAssertEqual(out.shape, [5, 6])
    let (mean, scale) = n.split(out)
    var h = n.encode(coords)
    for (k, l) in w.layers.enumerated() { h = n.layer(k, h, l) }
    let raw = h.scalars
    for i in 0..<5 {
      for c in 0..<3 {
        XCTAssertEqual(mean.scalars[i * 3 + c], raw[i * 6 + c] + 0.5, accuracy: 1e-6)
        let s = raw[i * 6 + 3 + c]
        XCTAssertEqual(scale?.scalars[i * 3 + c] ?? 0, 0.01 + 0.99 * Foundation.log(1 + Foundation.exp(s)), accuracy: 1e-5)
      }
    }
  }
}
