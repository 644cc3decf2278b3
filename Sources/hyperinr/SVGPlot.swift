import Foundation

/// A minimal line chart written as SVG (for training curves in reports).
struct SVGPlot {
  var title: String
  var xLabel: String
  var yLabel: String
  var points: [(Double, Double)]

  func render(width: Double = 640, height: Double = 360) -> String {
    let ml = 64.0, mr = 16.0, mt = 32.0, mb = 48.0
    let xs = points.map(\.0), ys = points.map(\.1)
    let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1e-9)
    let y0 = ys.min() ?? 0, y1 = max(ys.max() ?? 1, y0 + 1e-9)
    func px(_ x: Double) -> Double { ml + (x - x0) / (x1 - x0) * (width - ml - mr) }
    func py(_ y: Double) -> Double { height - mb - (y - y0) / (y1 - y0) * (height - mt - mb) }
    let path = points.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(width / 2)" y="20" text-anchor="middle" font-size="14">\(title)</text>
      <line x1="\(ml)" y1="\(height - mb)" x2="\(width - mr)" y2="\(height - mb)" stroke="black"/>
      <line x1="\(ml)" y1="\(mt)" x2="\(ml)" y2="\(height - mb)" stroke="black"/>
      <text x="\(width / 2)" y="\(height - 12)" text-anchor="middle">\(xLabel)</text>
      <text x="16" y="\(height / 2)" text-anchor="middle" transform="rotate(-90 16 \(height / 2))">\(yLabel)</text>

      """
    for i in 0...4 {
      let fy = y0 + (y1 - y0) * Double(i) / 4, fx = x0 + (x1 - x0) * Double(i) / 4
      svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", ml - 6, py(fy) + 4, fy)
      svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", ml, py(fy), width - mr, py(fy))
      svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g</text>\n", px(fx), height - mb + 16, fx)
    }
    svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(path)\"/>\n</svg>\n"
    return svg
  }
}
