import Foundation
import HyperTensor
import Hypernetworks
import Signals

/// The pictures and page of a finished training run: curves.svg (training and test PSNR), samples.png
/// (images: the first test images over their reconstructions) or samples.svg (audio: the first test clip
/// and its reconstruction), and report.md.
struct TrainingReport {
  let run: TrainingRun

  static func readCSV(_ url: URL) -> [[Double]] {
    ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",").compactMap { Double($0) } }
  }

  /// Rows of images [N, S, S, C] (values clamped to [0, 1]), one above the other, up to `count` columns.
  static func grid(_ rows: [Tensor], count: Int = 8) -> Image {
    let n = min(count, rows[0].shape[0]), s = rows[0].shape[1], c = rows[0].shape[3]
    let images = rows.flatMap { t in (0..<n).map { Image(pixels: Metrics.quantized8(t.slice(axis: 0, $0, $0 + 1).reshaped([s, s, c]))) } }
    return Image.tiled(images, columns: n)
  }

  /// The sample pictures: images as rows of inputs, the observed context (partial observation),
  /// reconstructions and the predicted standard deviation (probabilistic, white = the largest); audio as a
  /// plot of the first clip and its reconstruction. Returns the file name and a caption.
  func samples(in dir: URL) throws -> (String, String) {
    let model = run.trainer.model, shown = run.test.slice(axis: 0, 0, min(8, run.test.shape[0]))
    if let views = model.task as? ViewSynthesis {
      let objects = shown.slice(axis: 0, 0, min(4, shown.shape[0])), rendered = model.reconstruct(objects)
      let s = views.size, v = min(views.views, 8)
      let rows = (0..<objects.shape[0]).flatMap { i -> [Tensor] in
        let truth = objects.slice(axis: 0, i, i + 1).reshaped([views.views, s, s, 9]).slice(axis: 3, 0, 3)
        return [truth.slice(axis: 0, 0, v), rendered.slice(axis: 0, i, i + 1).reshaped([views.views, s, s, 3]).slice(axis: 0, 0, v)]
      }
      try Self.grid(rows, count: v).writePNG(dir.appendingPathComponent("samples.png"))
      return ("samples.png", "per object, the true views (the first \(views.support) the input) over the rendered ones")
    }
    let (mean, scale) = model.reconstructWithScale(shown)
    guard model.task.info.kind == .image else {
      let a = shown.slice(axis: 0, 0, 1).scalars, b = mean.slice(axis: 0, 0, 1).scalars
      let svg = SVGPlot(title: "first test clip", xLabel: "sample", yLabel: "amplitude",
                        series: [SVGPlot.Series(name: "signal", points: a.enumerated().map { (Double($0.offset), Double($0.element)) }),
                                 SVGPlot.Series(name: "reconstruction", points: b.enumerated().map { (Double($0.offset), Double($0.element)) })])
      try AtomicFile.write(Data(svg.render(width: 960).utf8), to: dir.appendingPathComponent("samples.svg"))
      return ("samples.svg", "the first test clip and its reconstruction")
    }
    var rows = [shown], parts = ["test inputs"]
    if let mask = model.observations(of: shown).mask {
      rows.append(shown * mask)
      parts.append("the observed context")
    }
    rows.append(mean)
    parts.append("reconstructions")
    if let scale {
      let sigma = scale.mean(axis: 3, keepdims: true)
      rows.append((sigma * (1 / max(sigma.scalars.max() ?? 1, 1e-12))).broadcast(to: shown.shape))
      parts.append("predicted standard deviation (white = largest)")
    }
    try Self.grid(rows).writePNG(dir.appendingPathComponent("samples.png"))
    return ("samples.png", parts.joined(separator: ", ") + ", top to bottom")
  }

  /// Each point's y replaced by the mean of the last `window` y values (noisy per-batch curves).
  static func runningMean(_ points: [(Double, Double)], window: Int) -> [(Double, Double)] {
    points.indices.map { i in
      let lo = max(0, i - window + 1)
      return (points[i].0, points[lo...i].map(\.1).reduce(0, +) / Double(i - lo + 1))
    }
  }

  func write() throws {
    let dir = run.folder, cfg = run.config
    let log = Self.readCSV(run.logURL).filter { $0.count == 6 }, evals = Self.readCSV(run.evalURL).filter { $0.count >= 4 }
    let svg = SVGPlot(title: "\(cfg.method) training", xLabel: "step", yLabel: "PSNR (dB)",
                      series: [SVGPlot.Series(name: "training PSNR (mean of the last 10 logged batches)", points: Self.runningMean(log.map { ($0[0], $0[3]) }, window: 10)),
                               SVGPlot.Series(name: "\(run.split) PSNR", points: evals.map { ($0[0], $0[1]) }, markers: true)])
    try AtomicFile.write(Data(svg.render().utf8), to: dir.appendingPathComponent("curves.svg"))
    let (samplesFile, caption) = try samples(in: dir)
    let perSignal = run.trainer.model.weights(for: run.test.slice(axis: 0, 0, 1)).instanceParameterCount
    let last = evals.last ?? [0, .nan, .nan, 0]
    let seconds = log.last?[5] ?? 0
    var md = "# \(cfg.method) on \(URL(fileURLWithPath: cfg.data.train).lastPathComponent)\n\n"
    md += String(format: "\(run.evaluatesValidation ? "Validation" : "Test") PSNR **%.2f dB**%@ on %d signals after %d steps (last session %@)", last[1],
                 last[2].isFinite ? String(format: ", SSIM %.4f", last[2]) : "", Int(last[3]), run.trainer.step, Console.duration(seconds))
    if last.count >= 7 && last[4].isFinite {
      md += String(format: "; NLL %.3f, %.1f %% of the values within 1 sigma and %.1f %% within 2 sigma", last[4], 100 * last[5], 100 * last[6])
    }
    md += ".\n\n![curves](curves.svg)\n\n![\(caption)](\(samplesFile))\n\n\(run.trainer.method.summary); \(perSignal) of the INR's \(run.trainer.method.hyponet.parameterCount) numbers are specific to each signal.\n\n## Configuration\n\n```json\n"
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    md += String(decoding: try enc.encode(cfg), as: UTF8.self) + "\n```\n"
    try AtomicFile.write(Data(md.utf8), to: dir.appendingPathComponent("report.md"))
  }
}
