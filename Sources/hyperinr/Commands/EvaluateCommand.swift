import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Mean test PSNR (SSIM for images; NLL and calibration for probabilistic models) of a trained model, or of a baseline.",
    discussion: """
      With --model, evaluates a checkpoint of `hyperinr train` on --data (default: its config's test set and \
      count; --split validation: the validation split held out of the training data by data.validation, or a view data set's val objects). \
      With --standard-steps K and --config, fits the config's INR to each signal from a random \
      initialisation for K Adam steps instead; with --constant and --config, scores the INR's output bias \
      everywhere (mid-grey, silence): the floor a trained model has to beat.
      """)

  @Option(help: "A checkpoint written by `hyperinr train`.")
  var model: String?
  @Option(help: "A training config (YAML) for --standard-steps or --constant.")
  var config: String?
  @Option(name: .customLong("set"), help: "With --config: override a setting, e.g. --set data.normalize=peak (repeatable).")
  var overrides: [String] = []
  @Option(help: "Image or audio folder, a list file, or a view category folder (its test split) (default: the config's test set).")
  var data: String?
  @Option(help: "test or validation (the training signals held out by the config's data.validation, chosen again from the training folder: add no files to it in between).")
  var split: String = "test"
  @Option(help: "Number of signals (a seeded choice; default: the config's data.testCount, 0 = all).")
  var count: Int?
  @OptionGroup var tto: TestTimeOptions
  @Option(name: .customLong("standard-steps"), help: "Evaluate the Standard baseline with this many Adam steps per image.")
  var standardSteps: Int?
  @Option(name: .customLong("standard-lr"), help: "Standard baseline learning rate.")
  var standardLR: Float = 1e-3
  @Flag(help: "With --config: evaluate the constant baseline (the INR's output bias everywhere: mid-grey images, silent audio).")
  var constant = false

  func validate() throws {
    guard ["test", "validation"].contains(split) else { throw ValidationError("--split must be test or validation, got '\(split)'") }
    guard split == "test" || data == nil else { throw ValidationError("--data and --split validation exclude each other") }
    guard [model != nil, standardSteps != nil, constant].filter({ $0 }).count == 1 else {
      throw ValidationError("give --model, or --standard-steps or --constant with --config")
    }
    guard model == nil || config == nil else { throw ValidationError("--config goes with --standard-steps or --constant; a --model holds its own configuration") }
    guard model != nil || config != nil else { throw ValidationError("--standard-steps and --constant need --config (for the INR and the data)") }
    guard config != nil || overrides.isEmpty else { throw ValidationError("--set goes with --config") }
    try Limits.require(standardSteps.flatMap { Limits.check("--standard-steps", $0, Limits.steps) },
                       count.flatMap { Limits.check("--count (0: all)", $0, 0...Int(Int32.max)) },
                       Limits.checkPositive("--standard-lr", standardLR))
  }

  func run() throws {
    try Console.reportingErrors {
      let m: GeneralizableModel
      if let model {
        m = try GeneralizableModel.load(URL(fileURLWithPath: model))
      } else if let config {
        let cfg = try TrainingConfigFile.load(config, overrides: overrides)
        let context = try cfg.context(), plain = Objective(hyponet: context.hyponet, rendering: context.task.rendering)
        let baseline: any INRPredictor = standardSteps.map { StandardBaseline(objective: plain, steps: $0, learningRate: standardLR, seed: cfg.train.seed) }
          ?? ConstantBaseline(objective: plain)
        m = GeneralizableModel(config: cfg, task: context.task, predictor: baseline)
      } else {
        throw ValidationError("give --model, or --standard-steps or --constant with --config")
      }
      let cfg = m.config
      let images = try cfg.testSignals(m.task, from: data, count: count, validation: split == "validation")
      _ = m.evaluate(images.slice(axis: 0, 0, min(GeneralizableModel.evaluationBatch, images.shape[0])))  // warm-up: one batch
      let t0 = DispatchTime.now().uptimeNanoseconds
      let r = m.evaluate(images, ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
      let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6 / Double(r.count)
      print(Evaluate.summary(r, task: m.task) + String(format: "; %.1f ms per %@", ms, m.task.info.kind == .image ? "image" : "clip"))
    }
  }
}

extension Evaluate {
  /// What a task's signals are: "images at SxS", "clips of N samples", "objects (V views of SxS, k input)".
  static func signalKind(_ task: any INRTask) -> String {
    if let v = task as? ViewSynthesis { return "objects (\(v.views) views of \(v.size)x\(v.size), \(v.support) input; scored on the others)" }
    return task.info.kind == .image ? "images at \(task.grid.map(String.init).joined(separator: "x"))" : "clips of \(task.grid[0]) samples"
  }

  /// "N images at SxS: PSNR ... (min, max), SSIM ...", plus NLL and calibration when the scores have them.
  static func summary(_ r: [SignalScore], task: any INRTask) -> String {
    let n = Double(max(r.count, 1)), p = r.map(\.psnr)
    let what = signalKind(task)
    var s = String(format: "%d %@: PSNR %.2f dB (min %.2f, max %.2f)", r.count, what, p.reduce(0, +) / n, p.min() ?? .nan, p.max() ?? .nan)
    let ssim = r.compactMap(\.ssim)
    if !ssim.isEmpty { s += String(format: ", SSIM %.4f", ssim.reduce(0, +) / Double(ssim.count)) }
    let c = r.compactMap(\.calibration)
    if !c.isEmpty {
      let k = Double(c.count)
      s += String(format: ", NLL %.3f, within 1 sigma %.1f %%, within 2 sigma %.1f %%", c.map(\.nll).reduce(0, +) / k,
                  100 * c.map(\.within1).reduce(0, +) / k, 100 * c.map(\.within2).reduce(0, +) / k)
    }
    return s
  }
}
