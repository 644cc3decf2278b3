import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Reconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Reconstruct an image with a trained Trans-INR or Learned Init: one forward pass to INR weights, then decode at any size.",
    discussion: """
      The image goes through the model's test transform (e.g. resize and centre crop to the training size). \
      --tto-steps refines Trans-INR's generated weights by Adam on the input's pixels before decoding. \
      Prints the encode and decode times, and PSNR/SSIM against the transformed input when decoding at the \
      model's own size.
      """)

  @Option(help: "A checkpoint written by `hyperinr train`.")
  var model: String
  @Argument(help: "Input image (.png/.jpg).")
  var image: String
  @Option(name: .shortAndLong, help: "Output image (.png/.jpg).")
  var output: String
  @Option(help: "Output size as WIDTHxHEIGHT (default: the model's image size).")
  var size: String?
  @OptionGroup var tto: TestTimeOptions

  func validate() throws {
    if let size { _ = try Decode.parseSize(size) }
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      try OutputPath.checkWritable(out)
      let (m, cfg) = try ImageSetModel.load(URL(fileURLWithPath: model))
      var rng = RandomGenerator(seed: cfg.train.seed)
      let input = try ImageFolder(files: [URL(fileURLWithPath: image)], transform: cfg.transform(test: true)).item(0, rng: &rng)
      let s = cfg.data.size
      let t0 = DispatchTime.now().uptimeNanoseconds
      let w = m.weights(for: input.unsqueezed(0), coords: CoordinateGrid.image(height: s, width: s), ttoSteps: tto.steps,
                        ttoLearningRate: tto.learningRate)
      let t1 = DispatchTime.now().uptimeNanoseconds
      let fitted = FittedModel(net: m.hyponet, signal: FieldSignal.Info(kind: .image, size: [s, s], channels: 3, sampleRate: 0),
                               parameters: w.map { $0.reshaped(Array($0.shape.dropFirst())) })
      let (summary, img) = try Decode.write(fitted, to: out, size: try size.map(Decode.parseSize), rate: nil, resolution: 1)
      let t2 = DispatchTime.now().uptimeNanoseconds
      var line = String(format: "wrote %@; encode %.1f ms%@, decode + write %.1f ms", summary, Double(t1 - t0) * 1e-6,
                        tto.steps > 0 ? " (with \(tto.steps) TTO steps)" : "", Double(t2 - t1) * 1e-6)
      if let img, img.height == s, img.width == s {
        line += String(format: "; PSNR %.2f dB, ", Metrics.psnr(img.pixels, input)) + Metrics.ssimSummary(img.pixels, input)
      }
      print(line)
    }
  }
}

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
      let (m, cfg): (ImageSetModel, TrainingConfig)
      if let model {
        (m, cfg) = try ImageSetModel.load(URL(fileURLWithPath: model))
      } else {
        cfg = try TrainingConfigFile.load(config!, overrides: [])
        m = .standard(net: cfg.hyponet, steps: standardSteps!, learningRate: standardLR, seed: cfg.train.seed)
      }
      let images = try cfg.testImages(from: data, count: count)
      _ = m.evaluate(images.slice(axis: 0, 0, min(ImageSetModel.evaluationBatch, images.shape[0])))  // warm-up: one batch
      let t0 = DispatchTime.now().uptimeNanoseconds
      let r = m.evaluate(images, ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
      let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6 / Double(r.count)
      let p = r.map(\.psnr), s = r.map(\.ssim)
      print(String(format: "%d images at %dx%d: PSNR %.2f dB (min %.2f, max %.2f), SSIM %.4f; %.1f ms per image", r.count, cfg.data.size, cfg.data.size,
                   p.reduce(0, +) / Double(p.count), p.min() ?? .nan, p.max() ?? .nan, s.reduce(0, +) / Double(s.count), ms))
    }
  }
}

/// Trans-INR test-time optimisation (Sec. 4.4): Adam on the generated INR weights against the input's pixels.
struct TestTimeOptions: ParsableArguments {
  @Option(name: .customLong("tto-steps"), help: "Test-time optimisation steps on Trans-INR's generated weights.")
  var steps: Int = 0
  @Option(name: .customLong("tto-lr"), help: "Test-time optimisation learning rate (Adam).")
  var learningRate: Float = 1e-4

  func validate() throws {
    guard steps >= 0, learningRate > 0 else { throw ValidationError("--tto-steps must be >= 0 and --tto-lr positive") }
  }
}
