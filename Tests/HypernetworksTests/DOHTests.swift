import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import XCTest

final class DOHTests: XCTestCase {
  /// The projection generator is pinned: values from the independent Python implementation in
  /// Fixtures/make_projection_vectors.py.
  func testSeededProjectionMatchesReferenceVector() {
    let p = SeededProjection(seed: 1234, layer: 2, rows: 1000, columns: 5, scale: 1)
    let r0: [Float] = [-0x1.26852800p-2, -0x1.6fb1a8p-1, 0x1.e17608p-1, 0x1.1a98p-3, 0x1.b22330p-3]
    let r977: [Float] = [0x1.cb5d90p-2, -0x1.58cf44p-1, 0x1.aae8e8p-2, -0x1.9fe864p-1, -0x1.e67434p-1]
    XCTAssertEqual(p.rows(0..<1).scalars, r0)
    XCTAssertEqual(p.rows(977..<978).scalars, r977)
    XCTAssertEqual(p.matrix().slice(axis: 0, 977, 978).scalars, r977)
  }

  /// Generated weights have the variance of SIREN's initialisation in every layer (Sec. 2.5.1).
  func testGeneratedWeightsHaveSirenVariance() {
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 3, width: 40, positionalFrequencies: 10)
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: 600, seed: 7)
    for (l, p) in doh.generatedParameters().enumerated() {
      let (fanIn, _) = net.layerShapes[l]
      let w = p.slice(axis: 0, 0, fanIn)
      let c: Float = l == 0 ? 1 / Float(fanIn) : (6 / Float(fanIn)).squareRoot() / 30
      let expected = c * c / 3
      XCTAssertEqual(w.variance().item() / expected, 1, accuracy: 0.15, "layer \(l)")
      XCTAssertEqual(p.slice(axis: 0, fanIn, fanIn + 1).squaredNorm(), 0)
    }
  }

  /// Regenerating projections block by block gives the cached result.
  func testBlockwiseRegenerationMatchesCache() {
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 16)
    let cached = DecoderOnlyHypernetwork(target: net, latentDim: 50, seed: 3)
    let streamed = DecoderOnlyHypernetwork(target: net, latentDim: 50, seed: 3, cacheLimitBytes: 0)
    XCTAssert(cached.isCached && !streamed.isCached)
    for (a, b) in zip(cached.generatedParameters(), streamed.generatedParameters()) {
      for (x, y) in zip(a.scalars, b.scalars) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }
    var rng = RandomGenerator(seed: 4)
    let coords = Tensor.uniform([7, 2], low: -1, high: 1, rng: &rng)
    let (_, ga) = valueAndGradients(of: cached) { net(coords, cached.hyponetWeights).square().sum() }
    let (_, gb) = valueAndGradients(of: streamed) { net(coords, streamed.hyponetWeights).square().sum() }
    XCTAssertGreaterThan(ga[0].squaredNorm(), 0)
    for (a, b) in zip(ga, gb) { for (x, y) in zip(a.scalars, b.scalars) { XCTAssertEqual(x, y, accuracy: 1e-5 + 1e-4 * abs(x)) } }
  }

  /// Gradients with respect to gamma and the biases through the generated SIREN match finite differences.
  func testGradientsThroughGeneratedWeights() {
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 1, hiddenLayers: 1, width: 6, w0: 3, w0First: 3)
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: 8, seed: 5)
    var rng = RandomGenerator(seed: 1)
    let x = Tensor.uniform([5, 2], low: -1, high: 1, rng: &rng)
    let loss = { net(x, doh.hyponetWeights).square().sum() }
    let (_, grads) = valueAndGradients(of: doh) { loss() }
    for (k, (_, p)) in doh.trainableParameters().enumerated() {
      let base = p.value
      for i in 0..<base.count {
        func at(_ d: Float) -> Double {
          var v = base.scalars
          v[i] += d
          p.assign(Tensor(shape: base.shape, scalars: v))
          defer { p.assign(base) }
          return Double(GradMode.withoutGradients { loss() }.item())
        }
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
        XCTAssertEqual(Double(grads[k].scalars[i]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "param \(k)[\(i)]")
      }
    }
  }

  /// A D'OH code at 60 % of the target's parameters fits a smooth image.
  func testFitsASmoothImage() {
    let img = Tensor.build([16, 16, 3]) { p, _ in
      for i in 0..<16 { for j in 0..<16 { for c in 0..<3 {
        p[(i * 16 + j) * 3 + c] = 0.5 + 0.35 * Foundation.sin(Float(i) / 3 + Float(c)) * Foundation.cos(Float(j) / 4)
      } } }
    }
    let signal = FieldSignal.image(Image(pixels: img))
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 24, outputBias: 0.5)
    let d = Int(0.6 * Double(net.parameterCount))
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: d, seed: 11)
    XCTAssertLessThan(doh.storedParameterCount, net.parameterCount)
    let opt = Adam(learningRate: 1e-2)
    for _ in 0..<300 { opt.minimize(doh) { Loss.mse(net(signal.coords, doh.hyponetWeights), signal.targets) } }
    let recon = GradMode.withoutGradients { net(signal.coords, doh.hyponetWeights) }
    XCTAssertGreaterThan(Metrics.psnr(recon, signal.targets), 28)
  }
}

final class LatentProjectionTests: XCTestCase {
  /// Algorithm 1 recovers a latent exactly when the weights lie in the projections' range, and otherwise
  /// gives the least-squares fit (residual orthogonal to the range: no better gamma nearby).
  func testProjectionRecoversAndIsLeastSquares() {
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 12)
    let source = DecoderOnlyHypernetwork(target: net, latentDim: 40, seed: 21)
    let inRange = GradMode.withoutGradients { source.generatedParameters() }
    for streamed in [false, true] {
      let fresh = DecoderOnlyHypernetwork(target: net, latentDim: 40, seed: 21, cacheLimitBytes: streamed ? 0 : 1 << 30)
      XCTAssertLessThan(fresh.project(from: inRange), 1e-3)
      for (a, b) in zip(fresh.gamma.value.scalars, source.gamma.value.scalars) { XCTAssertEqual(a, b, accuracy: 2e-3) }
    }
    var rng = RandomGenerator(seed: 5)
    let arbitrary = net.initialWeights(rng: &rng).packed
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: 40, seed: 21)
    let residual = doh.project(from: arbitrary)
    XCTAssert(residual > 0.1 && residual < 1, "\(residual)")
    func loss(_ g: Tensor) -> Float {
      doh.gamma.assign(g)
      return zip(GradMode.withoutGradients { doh.generatedParameters() }, arbitrary).enumerated().reduce(0) { acc, e in
        let fanIn = net.layerShapes[e.offset].0
        return acc + (e.element.0.slice(axis: 0, 0, fanIn) - e.element.1.slice(axis: 0, 0, fanIn)).squaredNorm()
      }
    }
    let best = doh.gamma.value
    let l0 = loss(best)
    let nudged = Tensor.uniform([40, 1], low: -1e-2, high: 1e-2, rng: &rng)
    XCTAssertGreaterThanOrEqual(loss(best + nudged), l0 * 0.9999)
    XCTAssertEqual(doh.biases[1].value.scalars, arbitrary[1].slice(axis: 0, 12, 13).scalars)
  }
}
