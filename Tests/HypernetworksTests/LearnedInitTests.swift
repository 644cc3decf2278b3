import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import XCTest

final class LearnedInitTests: XCTestCase {
  private let coords = Tensor.linspace(-1, 1, count: 10).reshaped([10, 1])

  /// Signals 0.5 sin(3 x + phase) as observations at `coords`, one per phase.
  private func observations(_ phases: [Float], _ coords: Tensor) -> Observations {
    let n = coords.shape[0]
    let y = Tensor.build([phases.count, n, 1]) { p, _ in
      for (b, ph) in phases.enumerated() { for i in 0..<n { p[b * n + i] = 0.5 * Foundation.sin(3 * coords.scalars[i] + ph) } }
    }
    return Observations(signals: y, coords: coords, targets: y)
  }

  private func make(_ net: HypoNet, steps: Int, lr: Float, reptile: Bool = false, seed: UInt64) -> LearnedInit {
    var rng = RandomGenerator(seed: seed)
    let task = AudioReconstruction(length: coords.shape[0], sampleRate: 8000, trainPattern: nil, testPattern: nil)
    return LearnedInit(LearnedInit.Settings(innerSteps: steps, innerLearningRate: lr, reptile: reptile, metaStepSize: reptile ? 0.3 : nil),
                       MethodContext(task: task, hyponet: net), rng: &rng)
  }

  private func metaLoss(_ m: LearnedInit, _ obs: Observations) -> Tensor {
    m.objective.loss(m.hyponet(obs.coords, m.weights(for: obs)), obs.targets)
  }

  /// The second-order meta-gradient matches central differences of the meta-loss.
  func testMetaGradientMatchesFiniteDifferences() {
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 6, w0: 2, w0First: 2)
    let meta = make(net, steps: 2, lr: 0.3, seed: 1)
    let obs = observations([0.3, 1.7], coords)
    let (_, grads) = valueAndGradients(of: meta) { metaLoss(meta, obs) }
    for (k, p) in meta.layers.enumerated() {
      let base = p.value
      for i in Swift.stride(from: 0, to: base.count, by: 2) {
        func at(_ d: Float) -> Double {
          var v = base.scalars
          v[i] += d
          p.assign(Tensor(shape: base.shape, scalars: v))
          defer { p.assign(base) }
          return Double(metaLoss(meta, obs).item())
        }
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
        XCTAssertEqual(Double(grads[k].scalars[i]), numeric, accuracy: 2e-3 + 3e-2 * abs(numeric), "layer \(k)[\(i)]")
      }
    }
  }

  /// A batch adapts each signal as if alone: adapting two signals together equals adapting each by itself.
  func testBatchedAdaptationEqualsSingleSignals() {
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 6, w0: 2, w0First: 2)
    let meta = make(net, steps: 3, lr: 0.3, seed: 4)
    let both = meta.inferenceWeights(for: observations([0.3, 1.7], coords))
    for (i, ph) in [Float(0.3), 1.7].enumerated() {
      let one = meta.inferenceWeights(for: observations([ph], coords)).instance(0)
      for (a, b) in zip(both.instance(i).packed, one.packed) {
        for (x, y) in zip(a.scalars, b.scalars) { XCTAssertEqual(x, y, accuracy: 1e-5) }
      }
    }
  }

  /// Meta-training (MAML with Adam, and Reptile with its own meta step size) lowers the
  /// post-adaptation loss on held-out signals. Reptile gets 10 inner steps: with few it is close to
  /// joint training of one INR on all signals (Nichol et al. Sec. 5), which does not help here.
  func testMetaTrainingHelpsNewSignals() {
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 16, w0: 3, w0First: 3)
    let grid = Tensor.linspace(-1, 1, count: 32).reshaped([32, 1])
    let held = observations([0.5, 2.5], grid)
    for reptile in [false, true] {
      let meta = make(net, steps: reptile ? 10 : 3, lr: 0.1, reptile: reptile, seed: 2)
      let before = metaLoss(meta, held).item()
      let opt = Adam(learningRate: 1e-2)
      for step in 0..<60 {
        let obs = observations([Float(step % 7), Float(step % 5) + 0.3], grid)
        _ = meta.trainStep(TrainingBatch(observations: obs, queryCoords: obs.coords, queryTargets: obs.targets), optimizer: opt)
      }
      XCTAssertLessThan(metaLoss(meta, held).item(), 0.8 * before, reptile ? "Reptile" : "MAML")
      XCTAssertEqual(opt.step, reptile ? 0 : 60, "Reptile does not use Adam")
    }
  }

  /// Reptile's update is theta += epsilon (mean adapted - theta): with `metaStepSize`, and without it (runs
  /// written before the setting) with the step's learning rate.
  func testReptileUpdateUsesItsMetaStepSize() {
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 1, width: 6, w0: 2, w0First: 2)
    let obs = observations([0.3, 1.7], coords)
    let task = AudioReconstruction(length: coords.shape[0], sampleRate: 8000, trainPattern: nil, testPattern: nil)
    for (step, lr, expected) in [(Float?(0.25), Float(0.5), Float(0.25)), (nil, 0.5, 0.5)] {
      var rng = RandomGenerator(seed: 6)
      let meta = LearnedInit(LearnedInit.Settings(innerSteps: 2, innerLearningRate: 0.2, reptile: true, metaStepSize: step),
                             MethodContext(task: task, hyponet: net), rng: &rng)
      let theta = meta.layers.map(\.value), adapted = meta.inferenceWeights(for: obs).packed
      _ = meta.trainStep(TrainingBatch(observations: obs, queryCoords: obs.coords, queryTargets: obs.targets), optimizer: Adam(learningRate: lr))
      for (k, p) in meta.layers.enumerated() {
        let want = theta[k] + (adapted[k].mean(axis: 0) - theta[k]) * expected
        for (a, b) in zip(p.value.scalars, want.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
      }
    }
  }
}
