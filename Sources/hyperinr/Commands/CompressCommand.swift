import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Compress: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compress an image, audio clip or shape with D'OH: a latent code fitted through fixed seeded random projections of a SIREN.",
    discussion: """
      Rate is set by the latent size: --latent-fraction of the target SIREN's parameters, or the largest \
      latent that fits --bpp at the chosen --bits. After fitting, the latent and biases are quantized \
      (uniform, one range each), deflated and written with a CRC-32 (format: docs/hinr-format.md). \
      Prints bpp, sizes, PSNR and SSIM of the decoded image. Ctrl-C stops early and still writes the file \
      (continue with --resume on the checkpoint OUTPUT.ckpt).
      """)

  @Argument(help: "Signal to compress: image (.png/.jpg), audio (.wav) or shape (.obj/.ply, as an occupancy field).")
  var image: String
  @Option(name: .shortAndLong, help: "Output .hinr file.")
  var output: String
  @Option(help: "Target bits per pixel (per sample for audio); sets the latent size, the file may come out smaller after deflate.")
  var bpp: Double?
  @Option(name: .customLong("latent-fraction"), help: "Latent size as a fraction of the target SIREN's parameters (default 0.6).")
  var latentFraction: Double?
  @Option(help: "Quantization bits of latent and biases: 4, 5, 6, 8 or 16.")
  var bits: Int = 8
  @Option(help: "Training steps.")
  var steps: Int = 2000
  @Option(help: "Adam learning rate (cosine decay). The latent needs a larger rate than direct weights: on a Kodak crop, 1e-2 reached 25.8 dB where 1e-3 reached 16.9 dB in 300 steps.")
  var lr: Float = 1e-2
  @Option(help: "Pixels per step (0: all).")
  var batch: Int = 16384
  @Option(help: "Seed of the projections, the latent initialisation and the pixel sampler.")
  var seed: UInt64 = 0
  @Option(help: "Target SIREN hidden layers.")
  var layers: Int = 9
  @Option(help: "Target SIREN width.")
  var width: Int = 40
  @Option(help: "Continue from this checkpoint (written on Ctrl-C or every 500 steps).")
  var resume: String?
  @Option(name: .customLong("init-from"), help: "D'OH Algorithm 1: start from a SIREN fitted by `hyperinr fit` with the target architecture (--layers, --width, and --positional-frequencies 10 unless given), projected into the latent by least squares.")
  var initFrom: String?

  func validate() throws {
    guard initFrom == nil || resume == nil else { throw ValidationError("--init-from starts a new run; it cannot be combined with --resume") }
    guard bpp == nil || latentFraction == nil else { throw ValidationError("give either --bpp or --latent-fraction, not both") }
    try Limits.require(bpp.flatMap { Limits.checkPositive("--bpp", $0, max: 1024) },
                       latentFraction.flatMap { Limits.checkPositive("--latent-fraction", $0, max: 4) },
                       Limits.check("--steps", steps, Limits.steps), Limits.checkPositive("--lr", lr),
                       Limits.check("--batch", batch, Limits.coordinateBatch), Limits.check("--layers", layers, Limits.hiddenLayers),
                       Limits.check("--width", width, Limits.width))
    guard Quantizer.supportedBits.contains(bits) else { throw ValidationError("--bits must be one of 4, 5, 6, 8, 16, got \(bits)") }
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output), ckpt = URL(fileURLWithPath: output + ".ckpt")
      try OutputPath.check([out, ckpt], inputs: ([image] + [initFrom].compactMap { $0 }).map { URL(fileURLWithPath: $0) })
      let signal = try FieldSignal.load(URL(fileURLWithPath: image), seed: seed)
      let samples = signal.coords.shape[0]
      guard bpp == nil || signal.info.kind != .occupancy else {
        throw ValidationError("--bpp applies to images and audio; give --latent-fraction for shapes")
      }
      let fitter: FieldFitter
      if let resume {
        fitter = try FieldFitter.resume(from: URL(fileURLWithPath: resume), signal: signal,
                                        parameterization: DecoderOnlyHypernetwork.fromCheckpoint)
        fitter.settings.steps = steps
        Console.note("resuming \(resume) at step \(fitter.step) of \(steps)")
      } else {
        let net = DOHCodec.targetNet(channels: signal.info.channels, hiddenLayers: layers, width: width, kind: signal.info.kind)
        try FitCommandRunner.checkMemory(net: net, signal: signal, batch: batch)
        let d = try bpp.map { try DOHCodec.latentDim(bpp: $0, pixels: samples, bits: bits, net: net) }
          ?? DOHCodec.latentDim(fraction: latentFraction ?? 0.6, net: net)
        let doh = DecoderOnlyHypernetwork(target: net, latentDim: d, seed: seed)
        if let initFrom {
          let model = try FittedModel.load(URL(fileURLWithPath: initFrom))
          guard model.net.layerShapes.map({ [$0.0, $0.1] }) == net.layerShapes.map({ [$0.0, $0.1] }), model.net.kind == .siren else {
            throw FitError(description: "\(initFrom): its INR (\(model.net.kind.rawValue) \(model.net.hiddenLayers) x \(model.net.width), input \(model.net.encodedDim)) is not the target SIREN \(layers) x \(width) with 10 positional-encoding frequencies")
          }
          let residual = doh.project(from: model.parameters)
          let recon = FittedModel.evaluate(net, GradMode.withoutGradients { doh.hyponetWeights }, signal.coords)
          Console.note(String(format: "Algorithm 1: projected %@ into the latent (relative residual %.3f): %@ before fine-tuning",
                              initFrom, residual, Compress.quality(recon, signal)))
        }
        fitter = FieldFitter(net: net, settings: FitSettings(steps: steps, learningRate: lr, batch: batch, seed: seed, cosineDecay: true),
                             signal: signal, parameters: doh)
      }
      guard let doh = fitter.parameters as? DecoderOnlyHypernetwork else { throw FitError(description: "\(resume ?? ""): not a D'OH checkpoint") }
      Console.note("D'OH: latent \(doh.latentDim) (\(String(format: "%.0f", 100 * Double(doh.latentDim) / Double(DOHCodec.latentDim(fraction: 1, net: doh.target)))) % of the target's parameters), projections \(doh.isCached ? "cached" : "regenerated every pass")")
      try FitCommandRunner.fit(fitter, output: ckpt, checkpointEvery: 500, label: image, namesModel: false)
      let file = DOHCodec.quantize(doh, signal: signal.info, bits: bits)
      let data = file.encoded()
      try AtomicFile.write(data, to: out)
      if !Interrupt.requested { try? FileManager.default.removeItem(at: ckpt) }  // kept for --resume after Ctrl-C
      let recon = FittedModel.evaluate(doh.target, GradMode.withoutGradients { doh.hyponetWeights }, signal.coords)
      let unit = signal.info.kind == .image ? "bpp" : (signal.info.kind == .audio ? "bits per sample" : "bits per training point")
      print(String(format: "wrote %@: %d bytes (%.2f kB), %.4f %@ (%d-bit latent of %d + %d biases); %@", output, data.count,
                   Double(data.count) / 1000, Double(data.count * 8) / Double(samples), unit, bits, doh.latentDim,
                   file.biasCodes.count, Compress.quality(recon, signal)))
      if Interrupt.requested { throw ExitCode(130) }
    }
  }

  /// PSNR and SSIM (images), PSNR (audio) or IoU (shapes) of a reconstruction on the signal's samples.
  static func quality(_ recon: Tensor, _ signal: FieldSignal) -> String {
    switch signal.info.kind {
    case .image:
      let shape = [signal.info.size[0], signal.info.size[1], signal.info.channels]
      let r = recon.reshaped(shape), t = signal.targets.reshaped(shape)
      return String(format: "PSNR %.2f dB (8-bit), ", Metrics.psnrQuantized(r, t)) + Metrics.ssimSummary(r, t)
    case .audio:
      return String(format: "PSNR %.2f dB (range 2)", Metrics.psnr(recon, signal.targets) + 20 * Foundation.log10(2))
    case .occupancy:
      return String(format: "IoU %.4f on the training points", OccupancySampler.iou(recon.scalars.map { $0 > 0 }, signal.targets.scalars.map { $0 > 0.5 }))
    }
  }
}
