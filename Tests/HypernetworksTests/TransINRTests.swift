import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import XCTest

final class TransINRTests: XCTestCase {
  private let task = ImageReconstruction(size: 8, trainTransform: .resize(size: 8), testTransform: .resize(size: 8))

  private func make(groups: Int = 4, centredPixels: Bool = false, seed: UInt64) -> TransINR {
    var rng = RandomGenerator(seed: seed)
    let net = HypoNet(kind: .fourier, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 8, frequencies: 4, sigma: 4, outputBias: 0.5)
    return TransINR(TransINR.Settings(patch: 4, dim: 16, depth: 1, heads: 2, groups: groups, centredPixels: centredPixels),
                    MethodContext(task: task, hyponet: net), rng: &rng)
  }

  /// With centred pixels the model on x equals the same weights on 2 x - 1 without centring, and differs from them on x.
  func testCentredPixelsTokenizeTwoXMinusOne() {
    let centred = make(centredPixels: true, seed: 3), raw = make(seed: 3)
    var rng = RandomGenerator(seed: 9)
    let x = Tensor.uniform([2, 8, 8, 3], rng: &rng)
    let a = centred.inferenceWeights(for: task.observations(of: x)).packed
    let b = raw.inferenceWeights(for: task.observations(of: x * 2 - 1)).packed, c = raw.inferenceWeights(for: task.observations(of: x)).packed
    for k in 0..<a.count { XCTAssertEqual(a[k].scalars, b[k].scalars) }
    XCTAssertGreaterThan(zip(a[0].scalars, c[0].scalars).map { abs($0 - $1) }.max()!, 1e-3)
  }

  func testPatchOrderAndWeightShapes() {
    let img = Tensor.build([1, 8, 8, 3]) { p, n in for i in 0..<n { p[i] = Float(i) } }
    let tokens = GridPatches(grid: [8, 8], channels: 3, patch: 4)(img)
    XCTAssertEqual(tokens.shape, [1, 4, 48])
    // Patch 1 (top right) starts at row 0, column 4; its second pixel is column 5.
    XCTAssertEqual(Array(tokens.scalars[48..<54]), [12, 13, 14, 15, 16, 17])
    // Audio frames: consecutive samples.
    let clip = Tensor.build([2, 12, 1]) { p, n in for i in 0..<n { p[i] = Float(i) } }
    XCTAssertEqual(GridPatches(grid: [12], channels: 1, patch: 4)(clip).slice(axis: 0, 0, 1).slice(axis: 1, 1, 2).scalars, [4, 5, 6, 7])
    let model = make(seed: 1)
    var rng = RandomGenerator(seed: 2)
    let w = model.inferenceWeights(for: task.observations(of: Tensor.uniform([2, 8, 8, 3], rng: &rng)))
    XCTAssertEqual(w.packed.map(\.shape), [[2, 17, 8], [2, 9, 8], [2, 9, 3]])
    // Weight grouping: every column of a generated weight matrix has unit L2 norm.
    for n in (w.layers[1].weight * w.layers[1].weight).sum(axis: 1).scalars { XCTAssertEqual(n, 1, accuracy: 1e-4) }
  }

  /// Every parameter receives a gradient, a few Adam steps lower the reconstruction loss on two images,
  /// and test-time optimisation of the generated weights lowers it further.
  func testTrainsEndToEnd() {
    let model = make(seed: 2)
    var rng = RandomGenerator(seed: 5)
    let images = Tensor.uniform([2, 8, 8, 3], rng: &rng)
    let obs = task.observations(of: images)
    let batch = TrainingBatch(observations: obs, queryCoords: obs.coords, queryTargets: obs.targets)
    let loss = { Loss.mse(model.hyponet(obs.coords, model.weights(for: obs)), obs.targets) }
    let (l0, grads) = valueAndGradients(of: model) { loss() }
    XCTAssertEqual(grads.count, model.trainableParameters().count)
    for ((name, _), g) in zip(model.trainableParameters(), grads) { XCTAssertGreaterThan(g.squaredNorm(), 0, name) }
    let opt = Adam(learningRate: 3e-3)
    var last: Float = 0
    for _ in 0..<60 { last = model.trainStep(batch, optimizer: opt) }
    XCTAssertLessThan(last, 0.7 * l0.item())
    let generated = model.inferenceWeights(for: obs)
    let before = Loss.mse(model.hyponet(obs.coords, generated), obs.targets).item()
    let tuned = TestTimeOptimization.refine(generated, objective: Objective(hyponet: model.hyponet), observations: obs, steps: 20, learningRate: 1e-3)
    XCTAssertLessThan(Loss.mse(model.hyponet(obs.coords, tuned), obs.targets).item(), before)
    let none = TestTimeOptimization.refine(generated, objective: Objective(hyponet: model.hyponet), observations: obs, steps: 0)
    XCTAssertEqual(none.packed.map(\.scalars), generated.packed.map(\.scalars))
  }
}
