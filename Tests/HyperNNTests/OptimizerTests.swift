import XCTest
import Foundation
import HyperNN
import HyperTensor

func fixtureURL(_ name: String) -> URL {
  Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
}

final class OptimizerTests: XCTestCase {
  /// Three updates of each optimizer against torch.optim (Fixtures/make_fixtures.py).
  func testUpdatesMatchPyTorch() throws {
    let f = try SafeTensors.read(fixtureURL("optimizers.safetensors"))
    let configs: [(String, () -> Optimizer)] = [
      ("adam", { Adam(learningRate: 1e-2) }),
      ("adam_l2", { Adam(learningRate: 1e-2, weightDecay: 0.1) }),
      ("adamw", { AdamW(learningRate: 1e-2, weightDecay: 0.1) }),
      ("sgd_momentum", { SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }),
      ("sgd_nesterov", { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) }),
    ]
    for (name, make) in configs {
      let p = Parameter(f["p0"]!)
      let opt = make()
      for step in 1...3 {
        opt.update([("p", p)], gradients: [f["g\(step)"]!])
        let expected = f["\(name).step\(step)"]!.scalars
        for (a, b) in zip(p.value.scalars, expected) {
          XCTAssertEqual(a, b, accuracy: 2e-6, "\(name) step \(step)")
        }
      }
    }
  }

  /// The threaded Adam update (chunks over the workers) equals the single-thread update bit for bit on a
  /// parameter large enough to be split, with an odd length.
  func testThreadedAdamMatchesSingleThread() {
    var rng = RandomGenerator(seed: 3)
    let start = Tensor.normal([100_003], rng: &rng)
    let grads = (0..<3).map { _ in Tensor.normal([100_003], rng: &rng) }
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    let results = [1, 2].map { threads -> [Float] in
      Parallel.threads = threads
      let p = Parameter(start), opt = Adam(learningRate: 0.01, weightDecay: 0.1)
      for g in grads { opt.update([("w", p)], gradients: [g]) }
      return p.value.scalars
    }
    XCTAssertEqual(results[0], results[1])
    XCTAssertNotEqual(results[0], start.scalars)
  }

  func testStateSaveRestoreContinuesIdentically() throws {
    var rng = RandomGenerator(seed: 1)
    let grads = (0..<6).map { _ in Tensor.normal([5], rng: &rng) }
    let start = Tensor.normal([5], rng: &rng)
    for make in [{ Adam(learningRate: 0.01) as Optimizer }, { SGD(learningRate: 0.1, momentum: 0.9) as Optimizer }] {
      let a = Parameter(start), opt = make()
      for g in grads { opt.update([("w", a)], gradients: [g]) }
      let b = Parameter(start), first = make()
      for g in grads.prefix(3) { first.update([("w", b)], gradients: [g]) }
      let state = first.stateTensors()
      let data = try SafeTensors.encode(state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
      let second = make()
      try second.loadState(SafeTensors.decode(data).dictionary)
      XCTAssertEqual(second.step, 3)
      for g in grads.suffix(3) { second.update([("w", b)], gradients: [g]) }
      XCTAssertEqual(a.value.scalars, b.value.scalars)
    }
    XCTAssertThrowsError(try Adam().loadState([:]))
  }

  /// A small MLP fits sin(x) on [-pi, pi] to MSE < 1e-4.
  func testTinyMLPFitsSine() {
    var rng = RandomGenerator(seed: 4)
    let mlp = MLP([1, 32, 32, 1], activation: .tanh, rng: &rng)
    let x = Tensor.linspace(-Float.pi, Float.pi, count: 128).reshaped([128, 1])
    let y = x.sin()
    let opt = Adam(learningRate: 3e-3)
    var loss: Float = 1
    for step in 0..<3000 {
      opt.learningRate = LearningRateSchedule.cosine(warmup: 50, total: 3000, minFactor: 0.05).rate(base: 3e-3, step: step)
      loss = opt.minimize(mlp) { Loss.mse(mlp(x), y) }
    }
    XCTAssertLessThan(loss, 1e-4)
  }

  func testSchedules() {
    XCTAssertEqual(LearningRateSchedule.constant.rate(base: 0.1, step: 99), 0.1)
    XCTAssertEqual(LearningRateSchedule.step(every: 10, gamma: 0.5).rate(base: 1, step: 25), 0.25)
    XCTAssertEqual(LearningRateSchedule.exponential(gamma: 0.9).rate(base: 1, step: 2), 0.81, accuracy: 1e-6)
    let c = LearningRateSchedule.cosine(warmup: 10, total: 110, minFactor: 0.1)
    XCTAssertEqual(c.rate(base: 1, step: 0), 0.1, accuracy: 1e-6)
    XCTAssertEqual(c.rate(base: 1, step: 9), 1, accuracy: 1e-6)
    XCTAssertEqual(c.rate(base: 1, step: 60), 0.55, accuracy: 1e-6)
    XCTAssertEqual(c.rate(base: 1, step: 500), 0.1, accuracy: 1e-6)
  }

  func testGradientClipping() {
    let g = [Tensor([3, 0]), Tensor([0, 4])]
    let (c, norm) = clipGradientNorm(g, maxNorm: 1)
    XCTAssertEqual(norm, 5, accuracy: 1e-6)
    XCTAssertEqual(c[0].scalars[0], 0.6, accuracy: 1e-5)
    XCTAssertEqual(c[1].scalars[1], 0.8, accuracy: 1e-5)
    XCTAssertEqual(clipGradientNorm(g, maxNorm: 10).0[0].scalars, [3, 0])
  }

  func testLossesMatchDefinitions() {
    let p = Tensor([1, 2, 3]), t = Tensor([1.5, 2, 2]), v = Tensor([0.5, 1, 2])
    XCTAssertEqual(Loss.mse(p, t).item(), (0.25 + 0 + 1) / 3, accuracy: 1e-6)
    XCTAssertEqual(Loss.l1(p, t).item(), 1.5 / 3, accuracy: 1e-6)
    let nll = (0..<3).map { i -> Double in
      let vv = Double(v.scalars[i]), d = Double(p.scalars[i] - t.scalars[i])
      return 0.5 * (Foundation.log(vv) + d * d / vv)
    }.reduce(0, +) / 3
    XCTAssertEqual(Double(Loss.gaussianNLL(mean: p, variance: v, target: t).item()), nll, accuracy: 1e-6)
    XCTAssertEqual(Double(Loss.gaussianNLL(mean: p, variance: v, target: t, full: true).item()),
                   nll + 0.5 * Foundation.log(2 * Double.pi), accuracy: 1e-6)
  }

  /// A NaN loss or an infinite gradient (sqrt at 0, with a finite loss) is not applied: the parameter
  /// keeps its value and minimize returns NaN.
  func testNonFiniteLossOrGradientIsNotApplied() {
    let m = TinyModule(value: Tensor([0, 0]))
    let opt = Adam(learningRate: 0.1)
    XCTAssert(opt.minimize(m) { m.p.value.sqrt().sum() }.isNaN)
    XCTAssert(opt.minimize(m) { (m.p.value * Float.nan).sum() }.isNaN)
    XCTAssertEqual(m.p.value.scalars, [0, 0])
    XCTAssertEqual(opt.minimize(m) { (m.p.value - 1).square().sum() }, 2)
    XCTAssertNotEqual(m.p.value.scalars, [0, 0])
  }

  /// Gradient accumulation: an update on a loss given as four parts (the squared errors of four blocks of
  /// rows, each over the whole batch's count) equals the update on the whole-batch MSE, step after step;
  /// a non-finite part is not applied.
  func testGradientAccumulationEqualsWholeBatch() {
    var rng = RandomGenerator(seed: 8)
    let x = Tensor.normal([64, 4], rng: &rng), y = Tensor.normal([64, 2], rng: &rng)
    var r1 = RandomGenerator(seed: 9), r2 = RandomGenerator(seed: 9)
    let whole = MLP([4, 16, 2], rng: &r1), pieces = MLP([4, 16, 2], rng: &r2)
    let a = SGD(learningRate: 0.2), b = SGD(learningRate: 0.2)
    for _ in 0..<3 {
      let la = a.minimize(whole) { Loss.mse(whole(x), y) }
      let lb = b.minimize(pieces, parts: 4) { i in
        (pieces(x.slice(axis: 0, 16 * i, 16 * i + 16)) - y.slice(axis: 0, 16 * i, 16 * i + 16)).square().sum() * Tensor(scalar: 1 / 128)
      }
      XCTAssertEqual(la, lb, accuracy: 1e-6)
    }
    for ((_, p), (_, q)) in zip(whole.trainableParameters(), pieces.trainableParameters()) {
      for (u, v) in zip(p.value.scalars, q.value.scalars) { XCTAssertEqual(u, v, accuracy: 1e-6) }
    }
    let before = pieces.trainableParameters().map(\.1.value.scalars)
    XCTAssert(b.minimize(pieces, parts: 2) { i in i == 1 ? pieces(x).sum() * Float.nan : pieces(x).sum() }.isNaN)
    XCTAssertEqual(pieces.trainableParameters().map(\.1.value.scalars), before)
  }

  /// beta-NLL weights each element by variance^beta without a gradient through the weight: at beta = 1
  /// the mean's gradient is the MSE one, (mean - target) / n, whatever the variance.
  func testBetaNLLWeightsByHeldVariance() {
    let p = Tensor([1, 2, 3]), t = Tensor([1.5, 2, 2]), v = Tensor([0.5, 1, 2])
    let weighted = (0..<3).map { i -> Double in
      let vv = Double(v.scalars[i]), d = Double(p.scalars[i] - t.scalars[i])
      return Foundation.sqrt(vv) * 0.5 * (Foundation.log(vv) + d * d / vv)
    }.reduce(0, +) / 3
    XCTAssertEqual(Double(Loss.gaussianNLL(mean: p, variance: v, target: t, beta: 0.5).item()), weighted, accuracy: 1e-6)
    let mean = p.requiringGrad(), variance = v.requiringGrad()
    let g = gradients(of: Loss.gaussianNLL(mean: mean, variance: variance, target: t, beta: 1), wrt: [mean, variance])
    for i in 0..<3 {
      XCTAssertEqual(g[0].scalars[i], (p.scalars[i] - t.scalars[i]) / 3, accuracy: 1e-6)
      let d = p.scalars[i] - t.scalars[i], vv = v.scalars[i]
      XCTAssertEqual(g[1].scalars[i], vv * 0.5 * (1 / vv - d * d / (vv * vv)) / 3, accuracy: 1e-6)
    }
  }
}

/// One registered parameter.
private final class TinyModule: Module {
  let p: Parameter
  init(value: Tensor) {
    p = Parameter(value)
    super.init()
    register("p", p)
  }
}
