import ArgumentParser
import Foundation
import HyperTensor

struct RateDistortion: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rd",
    abstract: "Run a rate-distortion study: D'OH at several sizes and latent fractions against size-matched COIN-style SIRENs and JPEG.",
    discussion: """
      The YAML configuration names the images and every setting (see experiments/doh-kodak.yaml). Each \
      finished point is written to REPORT's .csv at once; run the same command again after Ctrl-C or a crash \
      and it continues where it stopped. At the end (and with --report-only at any time) it writes the \
      Markdown REPORT and an SVG rate-distortion plot beside it.
      """)

  @Option(help: "The study's YAML configuration.")
  var config: String
  @Option(help: "The Markdown page to write; the CSV (.csv) and plot (-rd.svg) go beside it.")
  var report: String
  @Flag(name: .customLong("report-only"), help: "Rewrite the page and plot from the CSV without fitting anything.")
  var reportOnly = false

  func run() throws {
    try Console.reportingErrors {
      let page = URL(fileURLWithPath: report)
      let base = page.deletingPathExtension()
      let csv = base.appendingPathExtension("csv"), svg = URL(fileURLWithPath: base.path + "-rd.svg")
      try OutputPath.check([page, svg, csv], inputs: [URL(fileURLWithPath: config)])
      let cfg = try RateDistortionConfig.load(config)
      let study = try RateDistortionStudy(config: cfg, csv: csv)
      var interrupted = false
      if !reportOnly {
        Interrupt.install()
        do {
          try study.run()
        } catch is RateDistortionStudy.Interrupted {
          interrupted = true
        }
      }
      let r = RateDistortionReport(config: cfg, rows: study.rows,
                                   command: "hyperinr rd --config \(config) --report \(report)")
      try AtomicFile.write(Data(r.plot().utf8), to: svg)
      try AtomicFile.write(Data(r.markdown(csvName: csv.lastPathComponent, svgName: svg.lastPathComponent).utf8), to: page)
      print("wrote \(report), \(svg.path) and \(csv.path) (\(study.rows.count) points)")
      if interrupted {
        Console.note("stopped; the finished points are kept: run the same command again to continue")
        throw ExitCode(130)
      }
    }
  }
}
