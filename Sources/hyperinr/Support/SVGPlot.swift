import Foundation

/// A small line/scatter chart written as SVG (training curves, rate-distortion plots).
struct SVGPlot {
  struct Series {
    var name: String
    var points: [(Double, Double)]
    /// Draw a marker at every point (as well as the line, when `line`).
    var markers = false
    var line = true
    var dashed = false
  }

  var title: String
  var xLabel: String
  var yLabel: String
  var series: [Series]
  /// Logarithmic x axis (rate-distortion plots over a decade or more of bpp).
  var logX = false

  init(title: String, xLabel: String, yLabel: String, points: [(Double, Double)]) {
    self.init(title: title, xLabel: xLabel, yLabel: yLabel, series: [Series(name: "", points: points)])
  }

  init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logX = logX
  }

  static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f", "#17becf"]

  func render(width: Double = 640, height: Double = 400) -> String {
    let ml = 64.0, mr = 16.0, mt = 32.0, mb = 48.0
    let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) }
    func tx(_ x: Double) -> Double { logX ? log10(x) : x }
    let xs = all.map { tx($0.0) }, ys = all.map(\.1)
    let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1e-9)
    let y0 = ys.min() ?? 0, y1 = max(ys.max() ?? 1, y0 + 1e-9)
    func px(_ x: Double) -> Double { ml + (tx(x) - x0) / (x1 - x0) * (width - ml - mr) }
    func py(_ y: Double) -> Double { height - mb - (y - y0) / (y1 - y0) * (height - mt - mb) }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(width / 2)" y="20" text-anchor="middle" font-size="14">\(title)</text>
      <line x1="\(ml)" y1="\(height - mb)" x2="\(width - mr)" y2="\(height - mb)" stroke="black"/>
      <line x1="\(ml)" y1="\(mt)" x2="\(ml)" y2="\(height - mb)" stroke="black"/>
      <text x="\(width / 2)" y="\(height - 12)" text-anchor="middle">\(xLabel)\(logX ? " (log scale)" : "")</text>
      <text x="16" y="\(height / 2)" text-anchor="middle" transform="rotate(-90 16 \(height / 2))">\(yLabel)</text>

      """
    for i in 0...4 {
      let fy = y0 + (y1 - y0) * Double(i) / 4, fx = x0 + (x1 - x0) * Double(i) / 4
      let xValue = logX ? pow(10, fx) : fx
      svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", ml - 6, py(fy) + 4, fy)
      svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", ml, py(fy), width - mr, py(fy))
      svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\">%.4g</text>\n", px(xValue), height - mb + 16, i == 4 ? "end" : "middle", xValue)
    }
    for (k, s) in series.enumerated() {
      let colour = Self.palette[k % Self.palette.count]
      let pts = s.points.filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) }
      if s.line && pts.count > 1 {
        let path = pts.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"\(s.dashed ? " stroke-dasharray=\"5 3\"" : "") points=\"\(path)\"/>\n"
      }
      if s.markers {
        for p in pts { svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>\n", px(p.0), py(p.1), colour) }
      }
      if !s.name.isEmpty {
        let ly = mt + 8 + 16 * Double(k)
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"%@/>\n",
                      ml + 12, ly - 4, ml + 32, ly - 4, colour, s.dashed ? " stroke-dasharray=\"5 3\"" : "")
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n", ml + 38, ly, s.name)
      }
    }
    return svg + "</svg>\n"
  }
}
