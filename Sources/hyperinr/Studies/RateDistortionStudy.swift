import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

/// One measured point of a rate-distortion study: a row of its CSV file.
struct RDRow: Equatable {
  /// "rd" (the downsampled rate-distortion set) or "full" (full resolution).
  var set: String
  var image: String
  /// "WIDTHxHEIGHT" of the coded image.
  var size: String
  /// doh, mlp, jpeg, alg1-projected or alg1-finetuned.
  var method: String
  /// The D'OH setting the row belongs to ("w20 f0.60"): baselines are matched to its rate.
  var match: String
  var bits: Int
  var detail: String
  /// Stored values (latent + biases, or MLP parameters); 0 for JPEG.
  var values: Int
  var bytes: Int
  var bpp: Double
  var psnr: Double
  var ssim: Double
  var seconds: Double

  static let header = "set,image,size,method,match,bits,detail,values,bytes,bpp,psnr,ssim,seconds"
  var key: String { RDRow.key(set, image, method, match, bits) }
  static func key(_ set: String, _ image: String, _ method: String, _ match: String, _ bits: Int) -> String {
    "\(set)|\(image)|\(method)|\(match)|\(bits)"
  }

  var csv: String {
    [set, image, size, method, match, String(bits), detail, String(values), String(bytes), String(format: "%.5f", bpp),
     String(format: "%.4f", psnr), String(format: "%.5f", ssim), String(format: "%.1f", seconds)].joined(separator: ",")
  }

  init(set: String, image: String, size: String, method: String, match: String, bits: Int, detail: String, values: Int, bytes: Int,
       bpp: Double, psnr: Double, ssim: Double, seconds: Double) {
    self.set = set
    (self.image, self.size, self.method, self.match, self.bits, self.detail) = (image, size, method, match, bits, detail)
    (self.values, self.bytes, self.bpp, self.psnr, self.ssim, self.seconds) = (values, bytes, bpp, psnr, ssim, seconds)
  }

  init?(csv line: String) {
    let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard f.count == 13, let bits = Int(f[5]), let values = Int(f[7]), let bytes = Int(f[8]), let bpp = Double(f[9]),
          let psnr = Double(f[10]), let ssim = Double(f[11]), let seconds = Double(f[12]) else { return nil }
    self.init(set: f[0], image: f[1], size: f[2], method: f[3], match: f[4], bits: bits, detail: f[6], values: values, bytes: bytes,
              bpp: bpp, psnr: psnr, ssim: ssim, seconds: seconds)
  }
}

/// Runs the D'OH rate-distortion experiment of a `RateDistortionConfig`: per image, D'OH at every target
/// width and latent fraction, a COIN-style SIREN of matching size with the same quantization, JPEG at the
/// same bpp, the quantization ablation and Algorithm 1. Every finished point is appended to the CSV at
/// once (atomically), and points already in it are skipped, so an interrupted study continues where it
/// stopped.
final class RateDistortionStudy {
  struct Interrupted: Error {}

  let config: RateDistortionConfig
  let csv: URL
  private(set) var rows: [RDRow] = []
  private var keys = Set<String>()
  private var fitsDone = 0, fitsTotal = 0, fitSeconds = 0.0, fitsTimed = 0

  init(config: RateDistortionConfig, csv: URL) throws {
    self.config = config
    self.csv = csv
    if FileManager.default.fileExists(atPath: csv.path) {
      let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").map(String.init)
      guard lines.first == RDRow.header else { throw SignalError(csv.path, "exists but is not a results file of `hyperinr rd` (header differs); move it away") }
      for (i, line) in lines.dropFirst().enumerated() {
        guard let row = RDRow(csv: line) else { throw SignalError(csv.path, "line \(i + 2) is malformed") }
        add(row)
      }
    }
  }

  private func add(_ row: RDRow) {
    if keys.insert(row.key).inserted { rows.append(row) }
  }

  private func record(_ new: [RDRow]) throws {
    new.forEach(add)
    try AtomicFile.write(Data(([RDRow.header] + rows.map(\.csv)).joined(separator: "\n").appending("\n").utf8), to: csv)
  }

  func row(_ key: String) -> RDRow? { rows.first { $0.key == key } }

  static func setting(width: Int, fraction: Double) -> String { String(format: "w%d f%.2f", width, fraction) }

  /// The image at 1/factor of its size (antialiased), rounded to 8 bits so that every codec sees the same
  /// 8-bit original.
  static func prepared(_ path: String, factor: Int) throws -> Image {
    let img = try Image.load(URL(fileURLWithPath: path), alpha: .composite(background: 1))
    guard factor > 1 else { return img }
    guard img.height / factor >= 11, img.width / factor >= 11 else {
      throw SignalError(path, "is \(img.width)x\(img.height): too small to shrink \(factor)x")
    }
    return Image(pixels: Metrics.quantized8(img.resized(height: img.height / factor, width: img.width / factor).pixels))
  }

  func run() throws {
    let c = config
    let perImage = c.doh.widths.count * c.doh.fractions.count * 2 + (c.algorithm1 == nil ? 0 : 2)
    fitsTotal = c.images.count * perImage + 2 * (c.fullResolution?.images.count ?? 0)
    for path in c.images {
      try study(set: "rd", path: path, image: try Self.prepared(path, factor: c.downsample), widths: c.doh.widths,
                fractions: c.doh.fractions, steps: c.steps)
    }
    if let fr = c.fullResolution {
      for path in fr.images {
        try study(set: "full", path: path, image: try Self.prepared(path, factor: 1), widths: [fr.width], fractions: [fr.fraction],
                  steps: fr.steps)
      }
    }
  }

  /// Fits with a progress line; throws `Interrupted` on Ctrl-C (nothing of the unfinished fit is kept).
  private func fit(_ fitter: FieldFitter, _ label: String) throws -> Double {
    let printer = ProgressPrinter()
    var seconds = 0.0
    try fitter.run(shouldStop: { Interrupt.requested }) { p in
      seconds = p.seconds
      printer.update(step: p.step, of: p.steps, elapsed: p.seconds, fields: String(format: "%@  batch PSNR %.2f dB", label, p.psnr))
    }
    printer.finish()
    if Interrupt.requested { throw Interrupted() }
    fitsDone += 1
    fitsTimed += 1
    fitSeconds += seconds
    let eta = Double(fitsTotal - fitsDone) * fitSeconds / Double(fitsTimed)
    Console.note("[\(fitsDone)/\(fitsTotal) fits] \(label) done in \(Console.duration(seconds)); study ETA \(Console.duration(eta))")
    return seconds
  }

  private func skipFit() { fitsDone += 1 }

  private func measure(_ net: HypoNet, _ params: [Tensor], _ image: Image) -> (psnr: Double, ssim: Double) {
    let recon = Metrics.quantized8(FittedModel.evaluate(net, INRWeights(packed: params), CoordinateGrid.image(height: image.height, width: image.width))
      .reshaped([image.height, image.width, image.channels]))
    return (Metrics.psnr(recon, image.pixels), Metrics.ssim(recon, image.pixels))
  }

  private func settings(_ steps: Int, _ lr: Float) -> FitSettings {
    FitSettings(steps: steps, learningRate: lr, batch: config.batch, seed: config.seed, cosineDecay: true)
  }

  /// Quantizes a fitted D'OH at each bit depth (from the same unquantized state) and measures the decoded
  /// image and the real file size.
  private func dohRows(_ doh: DecoderOnlyHypernetwork, _ signal: FieldSignal, _ image: Image, set: String, name: String, size: String,
                       method: String, match: String, bits: [Int], detail: String, seconds: Double) -> [RDRow] {
    let saved = doh.namedParameters().map { $0.1.value }
    return bits.map { b in
      zip(doh.namedParameters(), saved).forEach { $0.0.1.assign($0.1) }
      let bytes = DOHCodec.quantize(doh, signal: signal.info, bits: b).encoded().count
      let q = measure(doh.target, GradMode.withoutGradients { doh.generatedParameters() }, image)
      return RDRow(set: set, image: name, size: size, method: method, match: match, bits: b, detail: detail,
                   values: doh.latentDim + doh.biases.reduce(0) { $0 + $1.value.count }, bytes: bytes,
                   bpp: Double(bytes * 8) / Double(image.width * image.height), psnr: q.psnr, ssim: q.ssim, seconds: seconds)
    }
  }

  /// The hidden width of a `layers`-deep COIN SIREN whose parameter count is nearest to `values`.
  static func matchedWidth(values: Int, layers: Int, channels: Int) -> Int {
    func gap(_ w: Int) -> Int { abs(coinNet(layers: layers, width: w, channels: channels).parameterCount - values) }
    return (1...1024).min { gap($0) < gap($1) }!
  }

  /// COIN's image INR: SIREN on raw coordinates, output bias 0.5.
  static func coinNet(layers: Int, width: Int, channels: Int) -> HypoNet {
    HypoNet(kind: .siren, inputDim: 2, outputDim: channels, hiddenLayers: layers, width: width, outputBias: 0.5)
  }

  private func study(set: String, path: String, image: Image, widths: [Int], fractions: [Double], steps: Int) throws {
    let c = config, extras = set == "rd"
    let name = URL(fileURLWithPath: path).lastPathComponent, size = "\(image.width)x\(image.height)"
    let signal = FieldSignal.image(image)
    var mlpByWidth: [Int: RDRow] = [:]
    for w in widths {
      for f in fractions {
        let match = Self.setting(width: w, fraction: f)
        let isAblation = extras && w == c.ablation.width && abs(f - c.ablation.fraction) < 1e-9
        let bits = isAblation ? Array(Set([c.doh.bits] + c.ablation.bits)).sorted() : [c.doh.bits]
        if bits.allSatisfy({ keys.contains(RDRow.key(set, name, "doh", match, $0)) }) {
          skipFit()
        } else {
          let net = DOHCodec.targetNet(channels: image.channels, hiddenLayers: c.doh.layers, width: w)
          let doh = DecoderOnlyHypernetwork(target: net, latentDim: DOHCodec.latentDim(fraction: f, net: net), seed: c.seed)
          let fitter = FieldFitter(net: net, settings: settings(steps, c.doh.lr), signal: signal, parameters: doh)
          let seconds = try fit(fitter, "\(name) \(size) D'OH \(match)")
          try record(dohRows(doh, signal, image, set: set, name: name, size: size, method: "doh", match: match, bits: bits,
                             detail: "latent \(doh.latentDim) of SIREN \(c.doh.layers)x\(w)", seconds: seconds))
        }
        let main = row(RDRow.key(set, name, "doh", match, c.doh.bits))!
        try mlpRow(set: set, name: name, size: size, match: match, values: main.values, image: image, signal: signal, steps: steps, cache: &mlpByWidth)
        if c.jpeg && !keys.contains(RDRow.key(set, name, "jpeg", match, 8)) {
          let r = try JPEGBaseline.matching(bpp: main.bpp, image: image)
          let q = r.map { (Metrics.psnr($0.decoded.pixels, image.pixels), Metrics.ssim($0.decoded.pixels, image.pixels)) }
          try record([RDRow(set: set, image: name, size: size, method: "jpeg", match: match, bits: 8,
                            detail: r.map { "quality \($0.quality)" } ?? "quality 1 exceeds the rate", values: 0, bytes: r?.bytes ?? 0,
                            bpp: r?.bpp ?? .nan, psnr: q?.0 ?? .nan, ssim: q?.1 ?? .nan, seconds: 0)])
        }
      }
    }
    if extras, let a1 = c.algorithm1 { try algorithm1(a1, set: set, name: name, size: size, image: image, signal: signal) }
  }

  private func mlpRow(set: String, name: String, size: String, match: String, values: Int, image: Image, signal: FieldSignal, steps: Int,
                      cache: inout [Int: RDRow]) throws {
    let c = config
    let key = RDRow.key(set, name, "mlp", match, c.doh.bits)
    guard !keys.contains(key) else { return skipFit() }
    let mw = Self.matchedWidth(values: values, layers: c.mlp.layers, channels: image.channels)
    var r: RDRow
    if let cached = cache[mw] {
      skipFit()
      r = cached
    } else {
      let net = Self.coinNet(layers: c.mlp.layers, width: mw, channels: image.channels)
      let fitter = FieldFitter(net: net, settings: settings(steps, c.mlp.lr), signal: signal)
      let seconds = try fit(fitter, "\(name) \(size) COIN SIREN \(c.mlp.layers)x\(mw)")
      let (layers, bytes) = QuantizedMLP.quantize(fitter.parameters.hyponetWeights.packed, bits: c.doh.bits)
      let q = measure(net, layers, image)
      r = RDRow(set: set, image: name, size: size, method: "mlp", match: match, bits: c.doh.bits, detail: "SIREN \(c.mlp.layers)x\(mw)",
                values: net.parameterCount, bytes: bytes, bpp: Double(bytes * 8) / Double(image.width * image.height),
                psnr: q.psnr, ssim: q.ssim, seconds: seconds)
      cache[mw] = r
    }
    r.match = match
    try record([r])
  }

  /// D'OH Algorithm 1: fit the target SIREN directly, project its weights into a full-size latent by least
  /// squares, copy the biases (PSNR here), then fine-tune the latent (PSNR again); both quantized.
  private func algorithm1(_ a1: RateDistortionConfig.Algorithm1, set: String, name: String, size: String, image: Image, signal: FieldSignal) throws {
    let c = config
    let match = Self.setting(width: a1.width, fraction: 1)
    let keyP = RDRow.key(set, name, "alg1-projected", match, c.doh.bits), keyF = RDRow.key(set, name, "alg1-finetuned", match, c.doh.bits)
    guard !(keys.contains(keyP) && keys.contains(keyF)) else { skipFit(); skipFit(); return }
    let net = DOHCodec.targetNet(channels: image.channels, hiddenLayers: c.doh.layers, width: a1.width)
    let siren = FieldFitter(net: net, settings: settings(a1.fitSteps, c.mlp.lr), signal: signal)
    let fitSeconds = try fit(siren, "\(name) \(size) Algorithm 1: SIREN \(c.doh.layers)x\(a1.width) with positional encoding")
    let sirenPSNR = measure(net, siren.parameters.hyponetWeights.packed, image).psnr
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: DOHCodec.latentDim(fraction: 1, net: net), seed: c.seed)
    let residual = doh.project(from: siren.parameters.hyponetWeights.packed)
    let detail = String(format: "SIREN %.2f dB unquantized; projection residual %.3f", sirenPSNR, residual)
    let projected = doh.namedParameters().map { $0.1.value }
    let p = dohRows(doh, signal, image, set: set, name: name, size: size, method: "alg1-projected", match: match, bits: [c.doh.bits],
                    detail: detail, seconds: fitSeconds)
    zip(doh.namedParameters(), projected).forEach { $0.0.1.assign($0.1) }
    let tuner = FieldFitter(net: net, settings: settings(a1.fineTuneSteps, c.doh.lr / 10), signal: signal, parameters: doh)
    let tuneSeconds = try fit(tuner, "\(name) \(size) Algorithm 1: fine-tuning the projected latent")
    try record(p + dohRows(doh, signal, image, set: set, name: name, size: size, method: "alg1-finetuned", match: match, bits: [c.doh.bits],
                           detail: detail, seconds: fitSeconds + tuneSeconds))
  }
}
