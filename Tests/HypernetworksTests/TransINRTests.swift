import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import XCTest

final class TransINRTests: XCTestCase {
  private func config(groups: Int = 4, centredPixels: Bool = false) -> TransINR.Config {
    TransINR.Config(imageSize: 8, channels: 3, patch: 4, dim: 16, depth: 1, heads: 2, groups: groups,
                    hyponet: HypoNet(kind: .fourier, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 8,
                                     frequencies: 4, sigma: 4, outputBias: 0.5), centredPixels: centredPixels)
  }

  /// With centred pixels the model on x equals the same weights on 2 x - 1 without centring, and differs from them on x.
  func testCentredPixelsTokenizeTwoXMinusOne() {
    var rngA = RandomGenerator(seed: 3), rngB = RandomGenerator(seed: 3)
    let centred = TransINR(config(centredPixels: true), rng: &rngA)
    let raw = TransINR(config(), rng: &rngB)
    let x = Tensor.uniform([2, 8, 8, 3], rng: &rngA)
    let a = centred(x), b = raw(x * 2 - 1), c = raw(x)
    for k in 0..<a.count { XCTAssertEqual(a[k].scalars, b[k].scalars) }
    XCTAssertGreaterThan(zip(a[0].scalars, c[0].scalars).map { abs($0 - $1) }.max()!, 1e-3)
  }

  func testPatchifyOrderAndWeightShapes() {
    var rng = RandomGenerator(seed: 1)
    let model = TransINR(config(), rng: &rng)
    let img = Tensor.build([1, 8, 8, 3]) { p, n in for i in 0..<n { p[i] = Float(i) } }
    let tokens = model.patchify(img)
    XCTAssertEqual(tokens.shape, [1, 4, 48])
    // Patch 1 (top right) starts at row 0, column 4; its second pixel is column 5.
    XCTAssertEqual(Array(tokens.scalars[48..<54]), [12, 13, 14, 15, 16, 17])
    let params = model(Tensor.uniform([2, 8, 8, 3], rng: &rng))
    XCTAssertEqual(params.map(\.shape), [[2, 17, 8], [2, 9, 8], [2, 9, 3]])
    // Weight grouping: every column of a generated weight matrix has unit L2 norm.
    let w = params[1].slice(axis: 1, 0, 8)
    for n in (w * w).sum(axis: 1).scalars { XCTAssertEqual(n, 1, accuracy: 1e-4) }
    XCTAssertEqual(model(Tensor.uniform([2, 8, 8, 3], rng: &rng))[0].shape, [2, 17, 8])
  }

  /// Every parameter receives a gradient, and a few Adam steps lower the reconstruction loss on two images.
  func testTrainsEndToEnd() {
    var rng = RandomGenerator(seed: 2)
    let model = TransINR(config(), rng: &rng)
    let images = Tensor.uniform([2, 8, 8, 3], rng: &rng)
    let coords = CoordinateGrid.image(height: 8, width: 8)
    let targets = images.reshaped([2, 64, 3])
    let (l0, grads) = valueAndGradients(of: model) { Loss.mse(model.reconstruct(images, at: coords), targets) }
    XCTAssertEqual(grads.count, model.trainableParameters().count)
    for ((name, _), g) in zip(model.trainableParameters(), grads) {
      XCTAssertGreaterThan(g.squaredNorm(), 0, name)
    }
    let opt = Adam(learningRate: 3e-3)
    var loss: Float = 0
    for _ in 0..<60 { loss = opt.minimize(model) { Loss.mse(model.reconstruct(images, at: coords), targets) } }
    XCTAssertLessThan(loss, 0.7 * l0.item())
    // Test-time optimisation of the generated weights lowers the loss further.
    let generated = GradMode.withoutGradients { model(images) }
    let hypo = model.config.hyponet
    let before = Loss.mse(hypo(coords, generated), targets).item()
    let tuned = model.testTimeOptimized(generated, coords: coords, targets: targets, steps: 20, learningRate: 1e-3)
    XCTAssertLessThan(Loss.mse(hypo(coords, tuned), targets).item(), before)
    XCTAssertEqual(model.testTimeOptimized(generated, coords: coords, targets: targets, steps: 0).map(\.scalars), generated.map(\.scalars))
  }
}
