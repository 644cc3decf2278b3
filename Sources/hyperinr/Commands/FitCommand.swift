import ArgumentParser
import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// Options that choose the INR architecture.
struct INROptions: ParsableArguments {
  @Option(help: "INR kind: siren, fourier (ReLU MLP on Fourier features) or nerf (the same on NeRF's encoding, no pi).")
  var inr: HypoNet.Kind = .siren
  @Option(help: "Number of hidden layers.")
  var layers: Int = 5
  @Option(help: "Hidden layer width.")
  var width: Int = 64
  @Option(help: "SIREN: frequency factor w0 of hidden layers.")
  var w0: Float = 30
  @Option(name: .customLong("w0-first"), help: "SIREN: w0 of the first layer (default 30 for images, 3000 for audio).")
  var w0First: Float?
  @Option(help: "Fourier INR: number of frequencies per coordinate.")
  var frequencies: Int = 64
  @Option(help: "Fourier INR: largest frequency.")
  var sigma: Float = 64
  @Option(name: .customLong("positional-frequencies"), help: "SIREN: positional encoding of the input with frequencies 2^k pi, k < F (0: raw coordinates).")
  var positionalFrequencies: Int = 0
  @Option(name: .customLong("output-activation"), help: "Activation of the last layer (images get the output bias 0.5 only with identity).")
  var outputActivation: Activation = .identity

  func validate() throws {
    try Limits.require(Limits.check("--layers", layers, Limits.hiddenLayers), Limits.check("--width", width, Limits.width),
                       Limits.check("--frequencies", frequencies, Limits.frequencies), Limits.checkPositive("--sigma", sigma),
                       Limits.checkPositive("--w0", w0), w0First.flatMap { Limits.checkPositive("--w0-first", $0) },
                       Limits.check("--positional-frequencies", positionalFrequencies, Limits.positionalFrequencies))
  }

  func net(for info: FieldSignal.Info) -> HypoNet {
    HypoNet(kind: inr, inputDim: info.kind == .image ? 2 : (info.kind == .audio ? 1 : 3), outputDim: info.channels, hiddenLayers: layers,
            width: width, w0: w0, w0First: w0First ?? (info.kind == .audio ? 3000 : 30), frequencies: frequencies,
            sigma: sigma, outputBias: info.kind == .image && outputActivation == .identity ? 0.5 : 0,
            outputActivation: outputActivation == .identity ? nil : outputActivation,
            positionalFrequencies: positionalFrequencies > 0 ? positionalFrequencies : nil)
  }
}

extension HypoNet.Kind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}

struct Fit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fit an INR to one signal (.png/.jpg image, .wav audio, .obj/.ply shape) and save it as a model file.",
    discussion: """
      Adam on mean squared error (binary cross-entropy of occupancy for shapes: 100k uniform and 100k \
      near-surface samples), on all coordinates per step (--batch 0) or a seeded random subset. \
      Prints step, loss, PSNR (IoU for shapes), speed and ETA. The model file is written every --checkpoint-every steps \
      and when you press Ctrl-C, with the training state, so `--resume MODEL` continues the same run \
      exactly. Decode it with `hyperinr decode`.
      """)

  @Argument(help: "The signal: .png, .jpg/.jpeg (alpha composited on white), .wav, or a .obj/.ply mesh.")
  var file: String
  @OptionGroup var inr: INROptions
  @Option(help: "Training steps.")
  var steps: Int = 2000
  @Option(help: "Adam learning rate (default 0.001; with --resume: the stored one unless given, e.g. lower after a divergence).")
  var lr: Float?
  @Option(help: "Learning-rate schedule: constant or cosine (decay to 5 % at the last step).")
  var schedule: String = "cosine"
  @Option(help: "Coordinates per step (0 = all: full batch).")
  var batch: Int = 0
  @Option(help: "Seed of the initialisation and of the coordinate sampler.")
  var seed: UInt64 = 0
  @Option(name: .shortAndLong, help: "Output model file (.safetensors).")
  var output: String
  @Option(help: "Continue the run stored in this model file (written by fit or by Ctrl-C) with its stored architecture, learning rate, batch and seed; only --steps and --lr may change.")
  var resume: String?
  @Option(name: .customLong("checkpoint-every"), help: "Write the model file every N steps (0: only at the end).")
  var checkpointEvery: Int = 500

  func validate() throws {
    try Limits.require(Limits.check("--steps", steps, Limits.steps), lr.flatMap { Limits.checkPositive("--lr", $0) },
                       Limits.check("--batch (0: all)", batch, Limits.coordinateBatch),
                       Limits.check("--checkpoint-every", checkpointEvery, Limits.checkpointEvery))
    guard ["constant", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be constant or cosine, got '\(schedule)'") }
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      try OutputPath.check([out], inputs: [URL(fileURLWithPath: file)])
      let signal = try FieldSignal.load(URL(fileURLWithPath: file), seed: seed)
      let fitter: FieldFitter
      if let resume {
        fitter = try FieldFitter.resume(from: URL(fileURLWithPath: resume), signal: signal)
        fitter.settings.steps = steps
        if let lr { fitter.settings.learningRate = lr }
        Console.note("resuming \(resume) at step \(fitter.step) of \(steps)")
      } else {
        try FitCommandRunner.checkMemory(net: inr.net(for: signal.info), signal: signal, batch: batch)
        fitter = FieldFitter(net: inr.net(for: signal.info),
                             settings: FitSettings(steps: steps, learningRate: lr ?? 1e-3, batch: batch, seed: seed,
                                                   cosineDecay: schedule == "cosine"), signal: signal)
      }
      try FitCommandRunner.fit(fitter, output: out, checkpointEvery: checkpointEvery, label: file)
      if Interrupt.requested { throw ExitCode(130) }
    }
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
    Interrupt.install()
    let printer = ProgressPrinter()
    let metric = info.kind == .occupancy ? "IoU %.2f %%" : "PSNR %.2f dB"
    var seconds = 0.0
    try fitter.run(shouldStop: { Interrupt.requested }) { p in
      seconds = p.seconds
      printer.update(step: p.step, of: p.steps, elapsed: p.seconds,
                     fields: String(format: "loss %.3e  " + metric, p.loss, p.psnr))
      if checkpointEvery > 0 && p.step % checkpointEvery == 0 && p.step < p.steps {
        try? fitter.checkpoint(to: output)
      }
    }
    printer.finish()
    try fitter.checkpoint(to: output)
    let recon = fitter.reconstruction()
    let quality = info.kind == .occupancy
      ? 100 * OccupancySampler.iou(recon.scalars.map { $0 > 0 }, fitter.signal.targets.scalars.map { $0 > 0.5 })
      : Metrics.psnr(recon, fitter.signal.targets) + 20 * Foundation.log10(Double(fitter.signal.range))
    if Interrupt.requested {
      Console.note("stopped at step \(fitter.step); checkpoint written to \(output.path) — continue with --resume \(output.path)")
    } else {
      Console.note(String(format: "done: %d steps in %@, " + metric + " on all samples", fitter.step, Console.duration(seconds), quality)
                   + (namesModel ? "; model written to \(output.path)" : ""))
    }
    return (quality, seconds)
  }
}
