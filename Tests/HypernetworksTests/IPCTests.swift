import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import XCTest

final class IPCTests: XCTestCase {
  private let net = HypoNet(kind: .fourier, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 8, frequencies: 4, sigma: 4, outputBias: 0.5)
  private let task = ImageReconstruction(size: 8, trainTransform: .resize(size: 8), testTransform: .resize(size: 8))

  private func fixture() throws -> SafeTensors.File {
    guard let url = Bundle.module.url(forResource: "ipc.safetensors", withExtension: nil, subdirectory: "Fixtures") else {
      throw XCTSkip("Fixtures/ipc.safetensors missing from the test bundle")
    }
    return try SafeTensors.read(url)
  }

  private func assertClose(_ a: Tensor, _ b: Tensor?, _ tol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let b else { return XCTFail("fixture lacks \(what)", file: file, line: line) }
    XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
    for (x, y) in zip(a.scalars, b.scalars) { XCTAssertEqual(x, y, accuracy: tol * (1 + abs(y)), what, file: file, line: line) }
  }

  /// The transformer variant's head and composed INR, against PyTorch (Fixtures/make_ipc_fixture.py).
  func testComposedINRAndHeadMatchPyTorch() throws {
    let f = try fixture()
    var rng = RandomGenerator(seed: 1)
    let ipc = IPC(IPC.Settings(patch: 4, dim: 16, depth: 1, heads: 2, rank: 3), MethodContext(task: task, hyponet: net), rng: &rng)
    try ipc.load(f.dictionary, options: LoadOptions(allowMissing: true, allowUnused: true), source: "ipc.safetensors")
    let h = try XCTUnwrap(f["h"]), coords = try XCTUnwrap(f["coords"])
    let u = ipc.head(h).transposed(1, 2)
    assertClose(u, f["u_head"], 1e-5, "U")
    let w = ipc.inr.weights(u: u)
    XCTAssertEqual(w.layers.map(\.isBatched), [false, true, false])
    XCTAssertEqual(w.instanceParameterCount, 8 * 3)
    assertClose(ipc.hyponet(coords, w), f["out_head"], 1e-5, "INR output")
  }

  /// The meta-learned variant: adapted U, meta-loss and its second-order gradients, against PyTorch.
  func testMetaLearnedInnerLoopAndMetaGradientMatchPyTorch() throws {
    let f = try fixture()
    var rng = RandomGenerator(seed: 1)
    let meta = MetaIPC(MetaIPC.Settings(rank: 3, innerSteps: 2, innerLearningRate: 0.01), MethodContext(task: task, hyponet: net), rng: &rng)
    try meta.load(f.dictionary, options: LoadOptions(allowUnused: true), source: "ipc.safetensors")
    let coords = try XCTUnwrap(f["coords"]), targets = try XCTUnwrap(f["targets"])
    let obs = Observations(signals: targets.reshaped([2, 12, 1, 3]), coords: coords, targets: targets)
    let adapted = meta.inferenceWeights(for: obs)
    assertClose(try XCTUnwrap(adapted.layers[1].factors?.u), f["u_adapted"], 1e-4, "adapted U")
    let (loss, grads) = valueAndGradients(of: meta) { meta.objective.loss(meta.hyponet(coords, meta.weights(for: obs)), targets) }
    assertClose(loss.reshaped([1]), f["meta_loss"], 1e-5, "meta-loss")
    for ((name, _), g) in zip(meta.trainableParameters(), grads) { assertClose(g, f["grad.\(name)"], 2e-4, "d loss / d \(name)") }
  }

  /// The meta-gradient also matches central differences (so the check above can fail on its own terms).
  func testMetaGradientMatchesFiniteDifferences() {
    var rng = RandomGenerator(seed: 3)
    let meta = MetaIPC(MetaIPC.Settings(rank: 2, innerSteps: 2, innerLearningRate: 0.05), MethodContext(task: task, hyponet: net), rng: &rng)
    let coords = Tensor.uniform([10, 2], low: -1, high: 1, rng: &rng), targets = Tensor.uniform([2, 10, 3], rng: &rng)
    let obs = Observations(signals: targets.reshaped([2, 10, 1, 3]), coords: coords, targets: targets)
    func loss() -> Tensor { meta.objective.loss(meta.hyponet(coords, meta.weights(for: obs)), targets) }
    let (_, grads) = valueAndGradients(of: meta) { loss() }
    for ((name, p), g) in zip(meta.trainableParameters(), grads) {
      let base = p.value
      for i in Swift.stride(from: 0, to: base.count, by: 7) {
        func at(_ d: Float) -> Double {
          var v = base.scalars
          v[i] += d
          p.assign(Tensor(shape: base.shape, scalars: v))
          defer { p.assign(base) }
          return Double(loss().item())
        }
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
        XCTAssertEqual(Double(g.scalars[i]), numeric, accuracy: 1e-3 + 5e-2 * abs(numeric), "\(name)[\(i)]")
      }
    }
  }

  /// Training lowers the loss of both variants; only U differs between instances.
  func testBothVariantsTrain() {
    var rng = RandomGenerator(seed: 4)
    let images = Tensor.uniform([2, 8, 8, 3], rng: &rng)
    let obs = task.observations(of: images)
    let batch = TrainingBatch(observations: obs, queryCoords: obs.coords, queryTargets: obs.targets)
    let context = MethodContext(task: task, hyponet: net)
    let methods: [any GeneralizableINR] = [
      IPC(IPC.Settings(patch: 4, dim: 16, depth: 1, heads: 2, rank: 4), context, rng: &rng),
      MetaIPC(MetaIPC.Settings(rank: 4, innerSteps: 2, innerLearningRate: 0.01), context, rng: &rng),
    ]
    for m in methods {
      let opt = Adam(learningRate: 3e-3)
      let first = m.trainStep(batch, optimizer: opt)
      var last = first
      for _ in 0..<40 { last = m.trainStep(batch, optimizer: opt) }
      XCTAssertLessThan(last, 0.7 * first, m.summary)
    }
  }
}
