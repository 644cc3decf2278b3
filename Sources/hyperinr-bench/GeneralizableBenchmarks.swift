import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import Yams

/// W3 (one Trans-INR training step) and W4 (encode + decode latency of one image) at the shipped emoji
/// configuration, against benchmarks/reference/transinr_torch.py; W6 (one IPC training step) at
/// configs/ipc-emoji.yaml against benchmarks/reference/ipc_torch.py.
struct GeneralizableBenchmarks {
  let runs: Int
  let threads: [Int]
  let reference: Reference?

  func run() {
    transINR()
    ipc()
  }

  /// The config at `path` (relative to the package root), or nil with a note.
  private func config(_ path: String, _ what: String) -> TrainingConfig? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let config = try? YAMLDecoder().decode(TrainingConfig.self, from: text) else {
      print("\(what): skipped — \(path) not found or not readable (run from the package root)")
      return nil
    }
    return config
  }

  /// A trainer of `config` (all pixels, no validation split) whose steps run on given images, and a batch of them.
  private func trainer(_ config: TrainingConfig) -> (GeneralizableTrainer, Tensor)? {
    var cfg = config
    cfg.train.pixels = 0
    cfg.data.validation = nil
    let s = config.data.size
    var rng = RandomGenerator(seed: 1)
    let images = Tensor.uniform([config.train.batch, s, s, 3], low: 0, high: 1, rng: &rng)
    // The loader is never asked for data: the steps run on `images`.
    guard let set = try? ImageFolder(files: [URL(fileURLWithPath: "/dev/null")], transform: .resize(size: s)),
          let trainer = try? GeneralizableTrainer(config: cfg, train: set) else { return nil }
    return (trainer, images)
  }

  func ipc() {
    let path = "configs/ipc-emoji.yaml"
    guard let config = config(path, "W6"), let s = config.settings.value as? IPC.Settings, let (trainer, images) = trainer(config) else { return }
    let json = """
      {"size":\(config.data.size),"patch":\(s.patch),"dim":\(s.dim),"depth":\(s.depth),"heads":\(s.heads),"rank":\(s.rank),\
      "layer":\(s.modulatedLayer ?? 1),"hidden":\(config.inr.hiddenLayers),"width":\(config.inr.width),"frequencies":\(config.inr.frequencies),\
      "sigma":\(config.inr.sigma),"batch":\(config.train.batch)}
      """
    print("\n== W6: IPC training step at \(path) (batch \(config.train.batch), \(config.data.size)x\(config.data.size), all pixels, rank \(s.rank); fwd + bwd + Adam) ==")
    trainingSteps(trainer, images, label: "W6", script: "ipc_torch.py", json: json)
  }

  /// Median time of a training step on `images`, against the PyTorch `script` in "step" mode, per thread count.
  private func trainingSteps(_ trainer: GeneralizableTrainer, _ images: Tensor, label: String, script: String, json: String) {
    for th in threads {
      Parallel.threads = th
      let flops = Measure.gemmFlops { _ = try? trainer.trainStep(signals: images) }
      let ours = Measure.median(runs: max(runs, 5)) { _ = try? trainer.trainStep(signals: images) }
      reportLine("\(label) t=\(th)", ours: ours, reference: reference?.best(script, ["step", "\(th)", json], threads: th),
                 extra: peakShare(flops: flops, ms: ours.median, threads: th))
      printProfile(label, threads: th) { _ = try? trainer.trainStep(signals: images) }
    }
  }

  /// W3 then W4; W4 alone when `trainingStep` is false (`--only w4`).
  func transINR(trainingStep: Bool = true) {
    let path = "configs/transinr-emoji.yaml"
    guard let config = config(path, "W3/W4"), let t = config.settings.value as? TransINR.Settings, let (trainer, images) = trainer(config),
          let model = trainer.method as? TransINR else { return }
    let json = """
      {"size":\(config.data.size),"patch":\(t.patch),"dim":\(t.dim),"depth":\(t.depth),"heads":\(t.heads),"groups":\(t.groups),\
      "hidden":\(config.inr.hiddenLayers),"width":\(config.inr.width),"frequencies":\(config.inr.frequencies),"sigma":\(config.inr.sigma),\
      "batch":\(config.train.batch)}
      """
    let s = config.data.size
    if trainingStep {
      print("\n== W3: Trans-INR training step at \(path) (batch \(config.train.batch), \(s)x\(s), all pixels; fwd + bwd + Adam) ==")
      trainingSteps(trainer, images, label: "W3", script: "transinr_torch.py", json: json)
    }
    print("\n== W4: encode (one forward pass, one image) and decode (\(s)x\(s) pixels) latency ==")
    let one = trainer.task.observations(of: images.slice(axis: 0, 0, 1)), coords = CoordinateGrid.image(height: s, width: s)
    for th in threads {
      Parallel.threads = th
      let enc = Measure.median(runs: max(runs, 11)) { _ = model.inferenceWeights(for: one) }
      let params = model.inferenceWeights(for: one).instance(0)
      let dec = Measure.median(runs: max(runs, 11)) { _ = FittedModel.evaluate(model.hyponet, params, coords) }
      reportLine("W4 encode t=\(th)", ours: enc, reference: reference?.best("transinr_torch.py", ["encode", "\(th)", json], threads: th))
      printProfile("W4 encode", threads: th) { _ = model.inferenceWeights(for: one) }
      reportLine("W4 decode t=\(th)", ours: dec, reference: reference?.best("transinr_torch.py", ["decode", "\(th)", json], threads: th))
    }
  }
}
