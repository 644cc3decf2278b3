import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

/// `hyperinr-bench fields`: W2, one full-batch step of COIN's SIREN on a 768 x 512 image; W5, NeRF;
/// D1, D'OH's encoding breakdown.
struct FieldBenchmarks {
  let runs: Int
  let threads: [Int]
  let reference: Reference?

  func run() {
    w2()
    w5()
    d1()
  }

  /// W5: the per-scene NeRF that `hyperinr fit VIEWS` trains by default (4 x 128 on 10 frequencies up to
  /// 256, softplus densities, 64 depths in [2, 6], 1024 rays per step) on 25 rendered 64 x 64 views of a
  /// procedural chair: one training step (jittered depths, MSE, Adam; the rays in cache-sized pieces, as the
  /// fitter runs them) and the render of one whole view (4096 rays).
  func w5() {
    print("\n== W5: NeRF 4 x 128 (PE 10), 64 samples per ray: training step on 1024 rays, render of one 64 x 64 view ==")
    var rng = RandomGenerator(seed: 0)
    var data = ViewDataset()
    data.views = 25
    let scene = data.scene(of: ProceduralShape.make(.chairs, rng: &rng), rng: &rng)
    let onWhite = MultiViewScene(cameras: scene.cameras, views: scene.views.map { $0.compositing(background: 1) })
    let net = HypoNet(kind: .nerf, inputDim: 3, outputDim: 4, hiddenLayers: 4, width: 128, frequencies: 10, sigma: 256)
    let settings = FitSettings(steps: 1000, learningRate: 1e-3, batch: 1024, seed: 0)
    for t in threads {
      Parallel.threads = t
      let fitter = SceneFitter(scene: onWhite, net: net, settings: settings, rendering: SceneRendering(samples: 64, density: .softplus))
      let stepFlops = Measure.gemmFlops { _ = try? fitter.trainStep() }
      let step = Measure.median(runs: max(runs, 5), warmup: 2) { _ = try? fitter.trainStep() }
      reportLine("W5 step t=\(t)", ours: step, reference: reference?.best("nerf_torch.py", ["\(t)", "step"], threads: t),
                 extra: peakShare(flops: stepFlops, ms: step.median, threads: t))
      printProfile("W5", threads: t) { _ = try? fitter.trainStep() }
      let camera = onWhite.cameras[0]
      let renderFlops = Measure.gemmFlops { _ = fitter.model.render(camera) }
      let view = Measure.median(runs: max(runs, 5), warmup: 1) { _ = fitter.model.render(camera) }
      reportLine("W5 render t=\(t)", ours: view, reference: reference?.best("nerf_torch.py", ["\(t)", "render"], threads: t),
                 extra: peakShare(flops: renderFlops, ms: view.median, threads: t))
    }
  }

  /// D1: D'OH encoding cost per step on a Kodak-size image — weight generation (latent -> all layers,
  /// forward and backward) versus the INR step — and the projected time per image.
  func d1() {
    print("\n== D1: D'OH (SIREN 9 x 40, PE 10, latent 60 %) on 768 x 512, per step with batch 16384 ==")
    let net = DOHCodec.targetNet(channels: 3)
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: DOHCodec.latentDim(fraction: 0.6, net: net), seed: 0)
    var rng = RandomGenerator(seed: 1)
    let coords = Tensor.uniform([16384, 2], low: -1, high: 1, rng: &rng), target = Tensor.uniform([16384, 3], rng: &rng)
    for t in threads {
      Parallel.threads = t
      let gen = Measure.median(runs: max(runs, 5)) {
        _ = valueAndGradients(of: doh) { doh.generatedParameters().reduce(Tensor(scalar: 0)) { $0 + $1.sum() } }
      }.median
      let fixed = GradMode.withoutGradients { doh.generatedParameters() }.map { $0.requiringGrad() }
      let inr = Measure.median(runs: max(runs, 5)) {
        _ = gradients(of: Loss.mse(net(coords, INRWeights(packed: fixed)), target), wrt: fixed)
      }.median
      var irng = RandomGenerator(seed: 2)
      let image = Image(pixels: Tensor.uniform([512, 768, 3], rng: &irng))
      let fitter = FieldFitter(net: net, settings: FitSettings(steps: Int.max, learningRate: 1e-3, batch: 16384, seed: 0),
                               signal: FieldSignal.image(image), parameters: doh)
      let step = Measure.median(runs: max(runs, 5)) { _ = try? fitter.trainStep() }.median
      print(String(format: "D1 t=%d: step %.1f ms = weight generation (fwd+bwd) %.1f ms + INR (fwd+bwd) %.1f ms + rest; 2000 steps = %@ per image (latent %d, projections %.0f MB %@)",
                   t, step, gen, inr, fmtDuration(step * 2000 / 1000), doh.latentDim,
                   Double(doh.projections.reduce(0) { $0 + $1.byteCount }) / 1e6, doh.isCached ? "cached" : "streamed"))
    }
  }

  func w2() {
    print("\n== W2: COIN SIREN (10 x 28, w0 30) full-batch step on 768 x 512 (393,216 coords), fwd + bwd + Adam ==")
    let h = 512, w = 768
    let target = Tensor.build([h, w, 3]) { p, _ in
      for i in 0..<h { for j in 0..<w {
        p[(i * w + j) * 3] = 0.5 + 0.4 * Foundation.sin(Float(i) / 30)
        p[(i * w + j) * 3 + 1] = 0.5 + 0.4 * Foundation.cos(Float(j) / 20)
        p[(i * w + j) * 3 + 2] = 0.5
      } }
    }
    let signal = FieldSignal.image(Image(pixels: target))
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 10, width: 28, outputBias: 0.5)
    for t in threads {
      Parallel.threads = t
      let fitter = FieldFitter(net: net, settings: FitSettings(steps: Int.max, learningRate: 2e-4, batch: 0, seed: 0), signal: signal)
      let flops = Measure.gemmFlops { _ = try? fitter.trainStep() }
      let ours = Measure.median(runs: max(runs, 5), warmup: 2) { _ = try? fitter.trainStep() }
      reportLine("W2 t=\(t)", ours: ours, reference: reference?.best("w2_torch.py", ["\(t)"], threads: t),
                 extra: peakShare(flops: flops, ms: ours.median, threads: t))
      printProfile("W2", threads: t) { _ = try? fitter.trainStep() }
    }
  }
}
