import HyperTensor

/// Geometric transforms of images for data pipelines.
extension Image {
  /// Resampled to height x width with a separable triangle (linear) filter whose support widens by the
  /// scale factor when shrinking, so downscaling averages (antialiases) like PIL's BILINEAR.
  public func resized(height h: Int, width w: Int) -> Image {
    precondition(h > 0 && w > 0, "resize to \(w)x\(h)")
    if h == height && w == width { return self }
    let rows = Self.weights(from: height, to: h), cols = Self.weights(from: width, to: w)
    let c = channels, src = pixels.scalars
    var tmp = [Float](repeating: 0, count: h * width * c)
    for (i, taps) in rows.enumerated() {
      for (y, wt) in taps { for x in 0..<(width * c) { tmp[i * width * c + x] += wt * src[y * width * c + x] } }
    }
    return Image(pixels: Tensor.build([h, w, c]) { p, _ in
      for i in 0..<h {
        for (j, taps) in cols.enumerated() {
          for k in 0..<c {
            var s: Float = 0
            for (x, wt) in taps { s += wt * tmp[(i * width + x) * c + k] }
            p[(i * w + j) * c + k] = s
          }
        }
      }
    })
  }

  /// For each output sample, the source indices and normalised triangle-filter weights.
  static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
    let scale = Double(n) / Double(m), support = max(scale, 1)
    return (0..<m).map { o in
      let centre = (Double(o) + 0.5) * scale
      let lo = max(0, Int((centre - support).rounded(.down))), hi = min(n - 1, Int((centre + support).rounded(.up)))
      var taps: [(Int, Float)] = []
      var total = 0.0
      for s in lo...hi {
        let wt = max(0, 1 - abs((Double(s) + 0.5 - centre) / support))
        if wt > 0 { taps.append((s, Float(wt))); total += wt }
      }
      if taps.isEmpty { return [(min(n - 1, Int(centre)), 1)] }
      return taps.map { ($0.0, Float(Double($0.1) / total)) }
    }
  }

  /// Resized so that the shorter side is `size` (aspect kept).
  public func resizedShortSide(to size: Int) -> Image {
    height <= width
      ? resized(height: size, width: max(1, Int((Double(width) * Double(size) / Double(height)).rounded())))
      : resized(height: max(1, Int((Double(height) * Double(size) / Double(width)).rounded())), width: size)
  }

  /// The size x size window at (top, left).
  public func cropped(top: Int, left: Int, size: Int) -> Image {
    precondition(top >= 0 && left >= 0 && top + size <= height && left + size <= width, "crop outside \(width)x\(height)")
    return Image(pixels: pixels.slice(axis: 0, top, top + size).slice(axis: 1, left, left + size))
  }

  public func centerCropped(_ size: Int) -> Image { cropped(top: (height - size) / 2, left: (width - size) / 2, size: size) }

  public func randomCropped(_ size: Int, rng: inout RandomGenerator) -> Image {
    cropped(top: rng.nextInt(below: height - size + 1), left: rng.nextInt(below: width - size + 1), size: size)
  }

  public func horizontallyFlipped() -> Image {
    Image(pixels: pixels.gather(axis: 1, indices: Array((0..<width).reversed())))
  }
}
