import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Mean test PSNR/SSIM of a trained model — or of the Standard baseline (Adam from random init) — on an image set.",
    discussion: """
      With --model, evaluates a checkpoint of `hyperinr train` on --data (default: its config's test set and \
      count). With --standard-steps K and --config, fits the config's INR to each image from a random \
      initialisation for K Adam steps instead.
      """)

  @Option(help: "A checkpoint written by `hyperinr train`.")
  var model: String?
  @Option(help: "A training config (YAML) for --standard-steps.")
  var config: String?
  @Option(help: "Image folder or list file (default: the config's test set).")
  var data: String?
  @Option(help: "Number of images (a seeded choice; default: the config's data.testCount, 0 = all).")
  var count: Int?
  @OptionGroup var tto: TestTimeOptions
  @Option(name: .customLong("standard-steps"), help: "Evaluate the Standard baseline with this many Adam steps per image.")
  var standardSteps: Int?
  @Option(name: .customLong("standard-lr"), help: "Standard baseline learning rate.")
  var standardLR: Float = 1e-3

  func validate() throws {
    guard (model == nil) != (standardSteps == nil) else { throw ValidationError("give --model, or --standard-steps with --config") }
    guard standardSteps == nil || config != nil else { throw ValidationError("--standard-steps needs --config (for the INR and the data)") }
    guard (standardSteps ?? 1) >= 1, (count ?? 0) >= 0 else { throw ValidationError("--count must be >= 0 and --standard-steps >= 1") }
  }

  func run() throws {
    try Console.reportingErrors {
      let m: GeneralizableModel
      if let model {
        m = try GeneralizableModel.load(URL(fileURLWithPath: model))
      } else if let config, let standardSteps {
        let cfg = try TrainingConfigFile.load(config, overrides: [])
        let task = try cfg.makeTask()
        m = GeneralizableModel(config: cfg, task: task, predictor: StandardBaseline(hyponet: cfg.hyponet(for: task), steps: standardSteps,
                                                                                    learningRate: standardLR, seed: cfg.train.seed))
      } else {
        throw ValidationError("give --model, or --standard-steps with --config")
      }
      let cfg = m.config
      let images = try cfg.testSignals(m.task, from: data, count: count)
      _ = m.evaluate(images.slice(axis: 0, 0, min(GeneralizableModel.evaluationBatch, images.shape[0])))  // warm-up: one batch
      let t0 = DispatchTime.now().uptimeNanoseconds
      let r = m.evaluate(images, ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
      let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6 / Double(r.count)
      let p = r.map(\.psnr), s = r.map { $0.ssim ?? .nan }
      print(String(format: "%d images at %dx%d: PSNR %.2f dB (min %.2f, max %.2f), SSIM %.4f; %.1f ms per image", r.count, cfg.data.size, cfg.data.size,
                   p.reduce(0, +) / Double(p.count), p.min() ?? .nan, p.max() ?? .nan, s.reduce(0, +) / Double(s.count), ms))
    }
  }
}
