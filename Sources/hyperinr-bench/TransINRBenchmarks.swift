import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import Yams

/// W3 (one Trans-INR training step) and W4 (encode + decode latency of one image) at the shipped emoji
/// configuration, against benchmarks/reference/transinr_torch.py.
struct TransINRBenchmarks {
  let runs: Int
  let threads: [Int]
  let reference: Reference?

  func run() {
    let path = "configs/transinr-emoji.yaml"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let config = try? YAMLDecoder().decode(TrainingConfig.self, from: text), let t = config.settings.value as? TransINR.Settings else {
      print("W3/W4: skipped — \(path) not found or not a Trans-INR config (run from the package root)")
      return
    }
    let json = """
      {"size":\(config.data.size),"patch":\(t.patch),"dim":\(t.dim),"depth":\(t.depth),"heads":\(t.heads),"groups":\(t.groups),\
      "hidden":\(config.inr.hiddenLayers),"width":\(config.inr.width),"frequencies":\(config.inr.frequencies),"sigma":\(config.inr.sigma),\
      "batch":\(config.train.batch)}
      """
    var cfg = config
    cfg.train.pixels = 0
    let s = config.data.size
    var rng = RandomGenerator(seed: 1)
    let images = Tensor.uniform([config.train.batch, s, s, 3], low: 0, high: 1, rng: &rng)
    // The loader is never asked for data: the steps run on `images`.
    guard let set = try? ImageFolder(files: [URL(fileURLWithPath: "/dev/null")], transform: .resize(size: s)),
          let trainer = try? GeneralizableTrainer(config: cfg, train: set), let model = trainer.method as? TransINR else { return }
    print("\n== W3: Trans-INR training step at \(path) (batch \(config.train.batch), \(s)x\(s), all pixels; fwd + bwd + Adam) ==")
    for th in threads {
      Parallel.threads = th
      let ours = Measure.median(runs: max(runs, 5)) { _ = try? trainer.trainStep(signals: images) }.median
      let ref = [false, true].compactMap { reference?.median("transinr_torch.py", ["step", "\(th)", json], threads: th, thp: $0) }.min()
      reportLine("W3 t=\(th)", ours: ours, reference: ref, extra: "")
    }
    print("\n== W4: encode (one forward pass, one image) and decode (\(s)x\(s) pixels) latency ==")
    let one = trainer.task.observations(of: images.slice(axis: 0, 0, 1)), coords = CoordinateGrid.image(height: s, width: s)
    for th in threads {
      Parallel.threads = th
      let enc = Measure.median(runs: max(runs, 11)) { _ = model.inferenceWeights(for: one) }.median
      let params = model.inferenceWeights(for: one).instance(0)
      let dec = Measure.median(runs: max(runs, 11)) { _ = FittedModel.evaluate(model.hyponet, params, coords) }.median
      let refEnc = [false, true].compactMap { reference?.median("transinr_torch.py", ["encode", "\(th)", json], threads: th, thp: $0) }.min()
      let refDec = [false, true].compactMap { reference?.median("transinr_torch.py", ["decode", "\(th)", json], threads: th, thp: $0) }.min()
      reportLine("W4 encode t=\(th)", ours: enc, reference: refEnc, extra: "")
      reportLine("W4 decode t=\(th)", ours: dec, reference: refDec, extra: "")
    }
  }
}
