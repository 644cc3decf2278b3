import ArgumentParser
import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// Options that choose the INR architecture. Sizes without a value take the defaults of the signal's kind:
/// SIREN 5 x 64 for signals, NeRF 4 x 128 on 10 frequencies up to 256 for scenes (view folders).
struct INROptions: ParsableArguments {
  @Option(help: "INR kind: siren, fourier (ReLU MLP on Fourier features) or nerf (the same on NeRF's encoding, no pi). Default: siren; nerf for a view folder.")
  var inr: HypoNet.Kind?
  @Option(help: "Number of hidden layers (default 5; 4 for a view folder).")
  var layers: Int?
  @Option(help: "Hidden layer width (default 64; 128 for a view folder).")
  var width: Int?
  @Option(help: "SIREN: frequency factor w0 of hidden layers.")
  var w0: Float = 30
  @Option(name: .customLong("w0-first"), help: "SIREN: w0 of the first layer (default 30 for images, 3000 for audio).")
  var w0First: Float?
  @Option(help: "Fourier or NeRF INR: number of frequencies per coordinate (default 64; 10 for a view folder).")
  var frequencies: Int?
  @Option(help: "Fourier or NeRF INR: largest frequency (default 64; 256 for a view folder).")
  var sigma: Float?
  @Option(name: .customLong("positional-frequencies"), help: "SIREN: positional encoding of the input with frequencies 2^k pi, k < F (0: raw coordinates).")
  var positionalFrequencies: Int = 0
  @Option(name: .customLong("output-activation"), help: "Activation of the last layer (images get the output bias 0.5 only with identity).")
  var outputActivation: Activation = .identity

  func validate() throws {
    try Limits.require(layers.flatMap { Limits.check("--layers", $0, Limits.hiddenLayers) }, width.flatMap { Limits.check("--width", $0, Limits.width) },
                       frequencies.flatMap { Limits.check("--frequencies", $0, Limits.frequencies) }, sigma.flatMap { Limits.checkPositive("--sigma", $0) },
                       Limits.checkPositive("--w0", w0), w0First.flatMap { Limits.checkPositive("--w0-first", $0) },
                       Limits.check("--positional-frequencies", positionalFrequencies, Limits.positionalFrequencies))
  }

  func net(for info: FieldSignal.Info) -> HypoNet {
    HypoNet(kind: inr ?? .siren, inputDim: info.kind == .image ? 2 : (info.kind == .audio ? 1 : 3), outputDim: info.channels,
            hiddenLayers: layers ?? 5, width: width ?? 64, w0: w0, w0First: w0First ?? (info.kind == .audio ? 3000 : 30),
            frequencies: frequencies ?? 64, sigma: sigma ?? 64, outputBias: info.kind == .image && outputActivation == .identity ? 0.5 : 0,
            outputActivation: outputActivation == .identity ? nil : outputActivation,
            positionalFrequencies: positionalFrequencies > 0 ? positionalFrequencies : nil)
  }

  /// The NeRF of a scene: 3-D points to three colour logits and a raw density (`VolumeRendering`).
  func sceneNet() throws -> HypoNet {
    guard outputActivation == .identity else { throw FitError(description: "--output-activation does not apply to a view folder (colours pass through a sigmoid, densities through --density)") }
    return HypoNet(kind: inr ?? .nerf, inputDim: 3, outputDim: 4, hiddenLayers: layers ?? 4, width: width ?? 128, w0: w0,
                   w0First: w0First ?? 30, frequencies: frequencies ?? 10, sigma: sigma ?? 256,
                   positionalFrequencies: positionalFrequencies > 0 ? positionalFrequencies : nil)
  }
}

/// The options of a scene fit (a view folder); signals refuse them.
struct SceneFitOptions: ParsableArguments {
  @Option(help: "View folder: hold out the last N views of transforms.json (not trained on) and report PSNR and SSIM on them at the end (default 0).")
  var holdout: Int?
  @Option(help: "View folder: depths per ray (default 64).")
  var samples: Int?
  @Option(help: "View folder: nearest and farthest depth along each ray (defaults 2 and 6, which bracket an object scaled to [-1, 1] seen from distance 4).")
  var near: Float?
  @Option(help: "View folder: see --near.")
  var far: Float?
  @Option(help: "View folder: density activation, relu or softplus (default softplus).")
  var density: VolumeRendering.Density?

  var given: [String] {
    [holdout.map { _ in "--holdout" }, samples.map { _ in "--samples" }, near.map { _ in "--near" }, far.map { _ in "--far" },
     density.map { _ in "--density" }].compactMap { $0 }
  }

  func validate() throws {
    try Limits.require(holdout.flatMap { Limits.check("--holdout", $0, 0...(Limits.views.upperBound - 1)) })
    let r = rendering
    if let p = r.problems(prefix: "--").first { throw ValidationError(p) }
  }

  var rendering: SceneRendering {
    let d = SceneRendering()
    return SceneRendering(near: near ?? d.near, far: far ?? d.far, samples: samples ?? d.samples, density: density ?? d.density)
  }
}

extension VolumeRendering.Density: ExpressibleByArgument {}
extension HypoNet.Kind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}

struct Fit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fit an INR to one signal (.png/.jpg image, .wav audio, .obj/.ply shape) or a NeRF to a view folder, and save it as a model file.",
    discussion: """
      Adam on mean squared error (binary cross-entropy of occupancy for shapes: 100k uniform and 100k \
      near-surface samples), on all coordinates per step (--batch 0) or a seeded random subset. \
      A view folder (transforms.json and its PNGs, as `hyperinr render-views` and NeRF-synthetic / LearnIt write \
      them; views composited on white) gets a NeRF instead: --batch random rays per step, --samples jittered depths \
      in [--near, --far], volume rendering; --holdout N keeps the last N views for evaluation. Render it with \
      `hyperinr render`. \
      Prints step, loss, PSNR (IoU for shapes), speed and ETA. The model file is written every --checkpoint-every steps \
      and when you press Ctrl-C, with the training state, so `--resume MODEL` continues the same run \
      exactly. Decode a signal's model with `hyperinr decode`.
      """)

  @Argument(help: "The signal: .png, .jpg/.jpeg (alpha composited on white), .wav, a .obj/.ply mesh, or a view folder.")
  var file: String
  @OptionGroup var inr: INROptions
  @OptionGroup var scene: SceneFitOptions
  @Option(help: "Training steps (default 2000; 5000 for a view folder).")
  var steps: Int?
  @Option(help: "Adam learning rate (default 0.001; with --resume: the stored one unless given, e.g. lower after a divergence).")
  var lr: Float?
  @Option(help: "Learning-rate schedule: constant or cosine (decay to 5 % at the last step).")
  var schedule: String = "cosine"
  @Option(help: "Coordinates per step (0 = all: full batch; the default), or rays per step of a view folder (default 1024).")
  var batch: Int?
  @Option(help: "Seed of the initialisation and of the coordinate (or ray) sampler.")
  var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "Output model file (.safetensors).")
  var output: String
  @Option(help: "Continue the run stored in this model file (written by fit or by Ctrl-C) with its stored architecture, learning rate, batch and seed; only --steps and --lr may change.")
  var resume: String?
  @Option(name: .customLong("checkpoint-every"), help: "Write the model file every N steps (0: only at the end).")
  var checkpointEvery: Int = 500

  func validate() throws {
    try Limits.require(steps.flatMap { Limits.check("--steps", $0, Limits.steps) }, lr.flatMap { Limits.checkPositive("--lr", $0) },
                       batch.flatMap { Limits.check("--batch (0: all)", $0, Limits.coordinateBatch) },
                       Limits.check("--checkpoint-every", checkpointEvery, Limits.checkpointEvery))
    guard ["constant", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be constant or cosine, got '\(schedule)'") }
  }

  func run() throws {
    try Console.reportingErrors {
      let input = URL(fileURLWithPath: file), out = URL(fileURLWithPath: output)
      try OutputPath.check([out], inputs: [input])
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder), isFolder.boolValue {
        try fitScene(input, output: out)
        return
      }
      if let option = scene.given.first { throw FitError(description: "\(option) applies to a view folder, not to the signal \(file)") }
      let signal = try FieldSignal.load(input, seed: seed)
      let fitter: FieldFitter
      if let resume {
        fitter = try FieldFitter.resume(from: URL(fileURLWithPath: resume), signal: signal)
        fitter.settings.steps = steps ?? 2000
        if let lr { fitter.settings.learningRate = lr }
        Console.note("resuming \(resume) at step \(fitter.step) of \(fitter.settings.steps)")
      } else {
        try FitCommandRunner.checkMemory(net: inr.net(for: signal.info), signal: signal, batch: batch ?? 0)
        fitter = FieldFitter(net: inr.net(for: signal.info),
                             settings: FitSettings(steps: steps ?? 2000, learningRate: lr ?? 1e-3, batch: batch ?? 0, seed: seed,
                                                   cosineDecay: schedule == "cosine"), signal: signal)
      }
      try FitCommandRunner.fit(fitter, output: out, checkpointEvery: checkpointEvery, label: file)
      if Interrupt.requested { throw ExitCode(130) }
    }
  }

  /// Fits a NeRF to the views of `folder` but the last --holdout ones, and reports its quality on those.
  private func fitScene(_ folder: URL, output: URL) throws {
    let all = try MultiViewScene.load(folder, background: 1)
    let holdout = scene.holdout ?? 0
    guard holdout < all.views.count else {
      throw FitError(description: "--holdout \(holdout) leaves no training view: \(folder.path) has \(all.views.count) views")
    }
    let n = all.views.count - holdout
    let train = MultiViewScene(cameras: Array(all.cameras.prefix(n)), views: Array(all.views.prefix(n)))
    let fitter: SceneFitter
    if let resume {
      fitter = try SceneFitter.resume(from: URL(fileURLWithPath: resume), scene: train)
      let stored = fitter.info.rendering
      for (option, given, kept) in [("--batch", batch.map(String.init), String(fitter.settings.batch)),
                                    ("--samples", scene.samples.map(String.init), String(stored.samples)),
                                    ("--near", scene.near.map { "\($0)" }, "\(stored.near)"), ("--far", scene.far.map { "\($0)" }, "\(stored.far)"),
                                    ("--density", scene.density?.rawValue, stored.density.rawValue)] {
        if let given, given != kept { throw FitError(description: "\(option) \(given) differs from the checkpoint's \(kept); a resumed fit keeps its settings") }
      }
      fitter.settings.steps = steps ?? 5000
      if let lr { fitter.settings.learningRate = lr }
      Console.note("resuming \(resume) at step \(fitter.step) of \(fitter.settings.steps)")
    } else {
      let net = try inr.sceneNet(), rendering = scene.rendering, rays = batch ?? 1024
      guard rays >= 1 else { throw FitError(description: "--batch must be at least 1 ray per step for a view folder, got \(rays)") }
      if let p = Limits.checkMemory(SceneFitter.estimatedBytes(net: net, rays: rays, samples: rendering.samples),
                                    for: "fitting a \(net.hiddenLayers) x \(net.width) NeRF on \(rays) rays x \(rendering.samples) samples per step",
                                    advice: "lower --batch, --samples, --width or --layers") {
        throw FitError(description: p)
      }
      fitter = SceneFitter(scene: train, net: net, settings: FitSettings(steps: steps ?? 5000, learningRate: lr ?? 1e-3, batch: rays, seed: seed,
                                                                         cosineDecay: schedule == "cosine"), rendering: rendering)
    }
    let net = fitter.net, r = fitter.info.rendering
    Console.note("fitting \(file): \(n) views of \(fitter.info.size)x\(fitter.info.size)\(holdout > 0 ? " (\(holdout) held out)" : ""), " +
                 "\(net.kind.rawValue) \(net.hiddenLayers) x \(net.width) (\(net.parameterCount) parameters), \(fitter.settings.batch) rays x " +
                 "\(r.samples) samples in [\(r.near), \(r.far)], \(r.density.rawValue) density, \(Parallel.threads) threads")
    let seconds = try FitCommandRunner.train(fitter, output: output, checkpointEvery: checkpointEvery, metric: "PSNR %.2f dB")
    if Interrupt.requested {
      FitCommandRunner.noteStopped(at: fitter.step, output: output)
      throw ExitCode(130)
    }
    var summary = String(format: "done: %d steps in %@", fitter.step, Console.duration(seconds))
    if holdout > 0 {
      let model = fitter.model
      let pairs = (n..<all.views.count).map { (model.render(all.cameras[$0]).rgb.pixels, all.views[$0].pixels) }
      let psnr = pairs.map { Metrics.psnrQuantized($0.0, $0.1) }.reduce(0, +) / Double(holdout)
      summary += String(format: ", PSNR %.2f dB on the %d held-out views (8-bit)", psnr, holdout)
      if fitter.info.size >= 11 {
        summary += String(format: ", SSIM %.4f", pairs.map { Metrics.ssim($0.0.clamped(min: 0, max: 1), $0.1) }.reduce(0, +) / Double(holdout))
      }
    }
    Console.note(summary + "; model written to \(output.path)")
  }
}

/// The training loop shared by `fit` and `compress`: progress, periodic and Ctrl-C checkpoints, summary
/// (which names `output` as the model file when `namesModel`; `compress` writes its own file instead).
enum FitCommandRunner {
  /// Stops with one line before a fit whose tensors would not fit the memory budget.
  static func checkMemory(net: HypoNet, signal: FieldSignal, batch: Int) throws {
    let n = signal.coords.shape[0], perStep = batch == 0 ? n : min(batch, n)
    if let p = Limits.checkMemory(FieldFitter.estimatedBytes(net: net, coordinates: perStep),
                                  for: "fitting a \(net.hiddenLayers) x \(net.width) INR on \(perStep) coordinates per step",
                                  advice: "lower --width, --layers or --batch") {
      throw FitError(description: p)
    }
  }

  @discardableResult
  static func fit(_ fitter: FieldFitter, output: URL, checkpointEvery: Int, label: String,
                  namesModel: Bool = true) throws -> (psnr: Double, seconds: Double) {
    let net = fitter.net, info = fitter.signal.info
    Console.note("fitting \(label): \(info.kind) \(info.size.map(String.init).joined(separator: "x")) x \(info.channels), " +
                 "\(net.kind.rawValue) \(net.hiddenLayers) x \(net.width) (\(net.parameterCount) parameters), " +
                 "\(fitter.settings.batch == 0 ? "full batch" : "batch \(fitter.settings.batch)"), \(Parallel.threads) threads")
    let metric = info.kind == .occupancy ? "IoU %.2f %%" : "PSNR %.2f dB"
    let seconds = try train(fitter, output: output, checkpointEvery: checkpointEvery, metric: metric)
    let recon = fitter.reconstruction()
    let quality = info.kind == .occupancy
      ? 100 * OccupancySampler.iou(recon.scalars.map { $0 > 0 }, fitter.signal.targets.scalars.map { $0 > 0.5 })
      : Metrics.psnr(recon, fitter.signal.targets) + 20 * Foundation.log10(Double(fitter.signal.range))
    if Interrupt.requested {
      noteStopped(at: fitter.step, output: output)
    } else {
      Console.note(String(format: "done: %d steps in %@, " + metric + " on all samples", fitter.step, Console.duration(seconds), quality)
                   + (namesModel ? "; model written to \(output.path)" : ""))
    }
    return (quality, seconds)
  }

  /// Runs a fit with progress (loss and `metric` of the batch quality), checkpoints every `checkpointEvery`
  /// steps, and stops at Ctrl-C; writes the final checkpoint either way. Returns the seconds trained.
  static func train(_ fitter: some ResumableFit, output: URL, checkpointEvery: Int, metric: String) throws -> Double {
    Interrupt.install()
    let printer = ProgressPrinter()
    var seconds = 0.0
    let first = fitter.step
    try fitter.run(shouldStop: { Interrupt.requested }) { p in
      seconds = p.seconds
      printer.update(step: p.step, of: p.steps, elapsed: p.seconds, fields: String(format: "loss %.3e  " + metric, p.loss, p.psnr), firstStep: first)
      if checkpointEvery > 0 && p.step % checkpointEvery == 0 && p.step < p.steps {
        try? fitter.checkpoint(to: output)
      }
    }
    printer.finish()
    try fitter.checkpoint(to: output)
    return seconds
  }

  static func noteStopped(at step: Int, output: URL) {
    Console.note("stopped at step \(step); checkpoint written to \(output.path) — continue with --resume \(output.path)")
  }
}
