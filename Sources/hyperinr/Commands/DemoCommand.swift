import ArgumentParser
import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fit a SIREN to the bundled Kodak image (kodim23) for about a minute and write a report.",
    discussion: "Writes DIR/model.safetensors, reconstruction.png, decode-2x.png (1536x1024 from the same model), psnr.svg and report.md.")

  @Option(name: .customLong("output-dir"), help: "Where to write the results.")
  var outputDir: String = "hyperinr-demo"
  @Option(help: "Training time budget in seconds (the step count follows from the measured speed).")
  var seconds: Double = 60
  @Option(help: "A fixed number of training steps instead of the time budget: the same seed and steps give the same numbers on any machine.")
  var steps: Int?
  @Option(help: "Seed of the initialisation and of the pixel sampler.")
  var seed: UInt64 = 0

  func validate() throws {
    guard seconds > 0, seconds <= 86_400 else { throw ValidationError("--seconds must be in (0, 86400], got \(seconds)") }
    try Limits.require(steps.flatMap { Limits.check("--steps", $0, Limits.steps) })
  }

  func run() throws {
    try Console.reportingErrors {
      guard let src = Bundle.module.url(forResource: "kodim23", withExtension: "png", subdirectory: "Resources") else {
        throw SignalError("kodim23.png", "bundled sample image is missing from the build")
      }
      let dir = URL(fileURLWithPath: outputDir)
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      let image = try Image.load(src)
      let signal = FieldSignal.image(image)
      let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 5, width: 128, outputBias: 0.5)
      let fitter = FieldFitter(net: net, settings: FitSettings(steps: steps ?? 1_000_000, learningRate: 1e-3, batch: 16384, seed: seed,
                                                               cosineDecay: true), signal: signal)
      var curve: [(Double, Double)] = []
      let modelURL = dir.appendingPathComponent("model.safetensors")
      let budget = steps.map { "\($0) steps" } ?? Console.duration(seconds)
      Console.note("demo: SIREN 5 x 128 on kodim23 (768x512) for \(budget), random batches of 16384 pixels")
      Interrupt.install()
      let printer = ProgressPrinter()
      var elapsed = 0.0
      // Without --steps the step count follows from the measured speed, so that the cosine schedule ends
      // with the time budget: a first estimate after 20 steps, refined after 200 from the steps in between
      // (the first ones include warm-up and ran slower, which ended the demo ~15 % early).
      let first = 20, refine = 200
      var atFirst = 0.0
      try fitter.run(shouldStop: { Interrupt.requested }) { p in
        elapsed = p.seconds
        if p.step == first && steps == nil {
          atFirst = p.seconds
          fitter.settings.steps = max(2 * first, Int(Double(p.step) / max(p.seconds, 1e-9) * seconds))
        }
        if p.step == refine && steps == nil && fitter.settings.steps > refine {
          let rate = Double(refine - first) / max(p.seconds - atFirst, 1e-9)
          fitter.settings.steps = max(refine + 1, p.step + Int(rate * max(seconds - p.seconds, 0)))
        }
        if p.step % 10 == 0 { curve.append((p.seconds, p.psnr)) }
        // Before step 20 of a time budget the step count (and so the ETA) is not known yet.
        if steps != nil || p.step >= first {
          printer.update(step: p.step, of: max(p.step, fitter.settings.steps), elapsed: p.seconds,
                         fields: String(format: "loss %.3e  PSNR %.2f dB", p.loss, p.psnr))
        }
      }
      printer.finish()
      let stoppedEarly = Interrupt.requested
      try fitter.checkpoint(to: modelURL)
      let model = try FittedModel.load(modelURL)
      let recon = try model.image(height: image.height, width: image.width)
      try recon.writePNG(dir.appendingPathComponent("reconstruction.png"))
      try model.image(height: 2 * image.height, width: 2 * image.width).writePNG(dir.appendingPathComponent("decode-2x.png"))
      let psnr = Metrics.psnr(recon.pixels, image.pixels), psnr8 = Metrics.psnrQuantized(recon.pixels, image.pixels)
      let ssim = Metrics.ssim(recon.pixels.clamped(min: 0, max: 1), image.pixels)
      let params = net.parameterCount
      try AtomicFile.write(Data(SVGPlot(title: "SIREN fit of kodim23", xLabel: "seconds", yLabel: "batch PSNR (dB)", points: curve).render().utf8),
                           to: dir.appendingPathComponent("psnr.svg"))
      let report = """
        # HyperINR demo: SIREN fit of kodim23

        | | |
        |---|---|
        | image | kodim23, 768 x 512 RGB (Kodak suite) |
        | INR | SIREN, 5 hidden layers x 128, w0 30, \(params) parameters (\(params * 4) bytes as Float32, \(String(format: "%.2f", Double(params * 32) / Double(image.width * image.height))) bits per pixel) |
        | training | Adam lr 1e-3 with cosine decay, \(fitter.step) steps of 16384 random pixels\(stoppedEarly ? " (stopped early by Ctrl-C)" : ""), \(Console.duration(elapsed)) on \(Parallel.threads) threads (\(ComputeBackend.isaName)) |
        | PSNR | \(String(format: "%.2f", psnr)) dB (raw), \(String(format: "%.2f", psnr8)) dB (clamped, 8-bit) |
        | SSIM | \(String(format: "%.4f", ssim)) |

        Files: `reconstruction.png` (768 x 512), `decode-2x.png` (1536 x 1024, the same model evaluated on a finer grid),
        `psnr.svg` (batch PSNR during training), `model.safetensors` (decode again with
        `hyperinr decode model.safetensors -o out.png --size WxH`).

        ![PSNR](psnr.svg)
        """
      try AtomicFile.write(Data(report.utf8), to: dir.appendingPathComponent("report.md"))
      print(String(format: "demo: %d steps in %@%@, PSNR %.2f dB, SSIM %.4f; results in %@/ (report.md)",
                   fitter.step, Console.duration(elapsed), stoppedEarly ? " (stopped early by Ctrl-C)" : "", psnr8, ssim, outputDir))
      if stoppedEarly { throw ExitCode(130) }
    }
  }
}
