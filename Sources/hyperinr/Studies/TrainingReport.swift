import Foundation
import HyperTensor
import Hypernetworks
import Signals

/// The pictures and page of a finished training run: curves.svg (training and test PSNR), samples.png
/// (the first test images over their reconstructions) and report.md.
struct TrainingReport {
  let run: TrainingRun

  static func readCSV(_ url: URL) -> [[Double]] {
    ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",").compactMap { Double($0) } }
  }

  /// Test images (top row) over reconstructions (bottom row), up to `count` columns.
  static func grid(_ inputs: Tensor, _ outputs: Tensor, count: Int = 8) -> Image {
    let n = min(count, inputs.shape[0]), s = inputs.shape[1], c = inputs.shape[3]
    func row(_ t: Tensor) -> Tensor {
      Tensor.concat((0..<n).map { t.slice(axis: 0, $0, $0 + 1).reshaped([s, s, c]) }, axis: 1)
    }
    return Image(pixels: Tensor.concat([row(inputs), row(Metrics.quantized8(outputs))], axis: 0))
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
    let log = Self.readCSV(run.logURL).filter { $0.count == 6 }, evals = Self.readCSV(run.evalURL).filter { $0.count == 4 }
    let svg = SVGPlot(title: "\(cfg.method) training", xLabel: "step", yLabel: "PSNR (dB)",
                      series: [SVGPlot.Series(name: "training PSNR (mean of the last 10 logged batches)", points: Self.runningMean(log.map { ($0[0], $0[3]) }, window: 10)),
                               SVGPlot.Series(name: "test PSNR", points: evals.map { ($0[0], $0[1]) }, markers: true)])
    try AtomicFile.write(Data(svg.render().utf8), to: dir.appendingPathComponent("curves.svg"))
    let shown = run.test.slice(axis: 0, 0, min(8, run.test.shape[0]))
    let samples = Self.grid(shown, run.trainer.model.reconstruct(shown))
    try samples.writePNG(dir.appendingPathComponent("samples.png"))
    let last = evals.last ?? [0, .nan, .nan, 0]
    let seconds = log.last?[5] ?? 0
    var md = "# \(cfg.method) on \(URL(fileURLWithPath: cfg.data.train).lastPathComponent)\n\n"
    md += String(format: "Test PSNR **%.2f dB**, SSIM %.4f on %d images after %d steps (last session %@).\n\n", last[1], last[2], Int(last[3]),
                 run.trainer.step, Console.duration(seconds))
    md += "![curves](curves.svg)\n\n![test inputs (top) and reconstructions (bottom)](samples.png)\n\n## Configuration\n\n```json\n"
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    md += String(decoding: try enc.encode(cfg), as: UTF8.self) + "\n```\n"
    try AtomicFile.write(Data(md.utf8), to: dir.appendingPathComponent("report.md"))
  }
}
