import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import XCTest

final class LearnedInitTests: XCTestCase {
  private func task(_ phase: Float, _ coords: Tensor) -> Tensor {
    Tensor.build([coords.shape[0], 1]) { p, n in for i in 0..<n { p[i] = 0.5 * Foundation.sin(3 * coords.scalars[i] + phase) } }
  }

  /// The second-order meta-gradient matches central differences of the meta-loss.
  func testMetaGradientMatchesFiniteDifferences() {
    var rng = RandomGenerator(seed: 1)
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 6, w0: 2, w0First: 2)
    let meta = LearnedInit(net: net, innerSteps: 2, innerLearningRate: 0.3, rng: &rng)
    let coords = Tensor.uniform([10, 1], low: -1, high: 1, rng: &rng)
    let targets = [task(0.3, coords), task(1.7, coords)]
    let (_, grads) = valueAndGradients(of: meta) { meta.metaLoss(coords: coords, targets: targets) }
    for (k, p) in meta.layers.enumerated() {
      let base = p.value
      for i in Swift.stride(from: 0, to: base.count, by: 2) {
        func at(_ d: Float) -> Double {
          var v = base.scalars
          v[i] += d
          p.assign(Tensor(shape: base.shape, scalars: v))
          defer { p.assign(base) }
          return Double(meta.metaLoss(coords: coords, targets: targets).item())
        }
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
        XCTAssertEqual(Double(grads[k].scalars[i]), numeric, accuracy: 2e-3 + 3e-2 * abs(numeric), "layer \(k)[\(i)]")
      }
    }
  }

  /// Meta-training (MAML and Reptile) lowers the post-adaptation loss on held-out tasks.
  func testMetaTrainingHelpsNewTasks() {
    var rng = RandomGenerator(seed: 2)
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 16, w0: 3, w0First: 3)
    let coords = Tensor.linspace(-1, 1, count: 32).reshaped([32, 1])
    let held = [task(0.5, coords), task(2.5, coords)]
    for reptile in [false, true] {
      let meta = LearnedInit(net: net, innerSteps: 3, innerLearningRate: 0.1, rng: &rng)
      let before = meta.metaLoss(coords: coords, targets: held).item()
      let opt = Adam(learningRate: 1e-2)
      for step in 0..<60 {
        let batch = [task(Float(step % 7), coords), task(Float(step % 5) + 0.3, coords)]
        if reptile { meta.reptileStep(coords: coords, targets: batch, epsilon: 0.3) } else {
          opt.minimize(meta) { meta.metaLoss(coords: coords, targets: batch) }
        }
      }
      XCTAssertLessThan(meta.metaLoss(coords: coords, targets: held).item(), 0.8 * before, reptile ? "Reptile" : "MAML")
    }
  }
}
