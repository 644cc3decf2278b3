import Foundation
import HyperTensor

/// Reconstruction quality measures for signals in [0, 1].
public enum Metrics {
  /// PSNR = -10 log10(MSE) for signals in [0, 1], on the raw (unclamped) values.
  public static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "psnr: shapes \(a.shape) and \(b.shape) differ")
    var se = 0.0
    let x = a.scalars, y = b.scalars
    for i in 0..<x.count { let d = Double(x[i]) - Double(y[i]); se += d * d }
    return -10 * log10(max(se / Double(max(x.count, 1)), 1e-20))
  }

  /// PSNR after clamping `reconstruction` to [0, 1] and rounding it to 8 bits (what a saved PNG holds).
  public static func psnrQuantized(_ reconstruction: Tensor, _ reference: Tensor) -> Double {
    psnr(quantized8(reconstruction), reference)
  }

  /// Values clamped to [0, 1] and rounded to multiples of 1/255: the image a PNG file would hold.
  public static func quantized8(_ t: Tensor) -> Tensor { t.map { (min(max($0, 0), 1) * 255).rounded() / 255 } }

  /// "SSIM 0.8765" of a reconstruction (clamped to [0, 1]) against a reference, or "SSIM n/a" for images
  /// smaller than the 11 x 11 window.
  public static func ssimSummary(_ reconstruction: Tensor, _ reference: Tensor) -> String {
    guard reference.rank == 3, reference.shape[0] >= 11, reference.shape[1] >= 11 else { return "SSIM n/a (smaller than 11 x 11)" }
    return String(format: "SSIM %.4f", ssim(reconstruction.clamped(min: 0, max: 1), reference))
  }

  /// SSIM (Wang et al. 2004, Eq. 13) with an 11-tap Gaussian window (sigma 1.5), K1 0.01, K2 0.03,
  /// data range 1, population covariances, averaged over the positions whose window lies inside the
  /// image and then over channels — the conventions of scikit-image's
  /// structural_similarity(gaussian_weights=True, use_sample_covariance=False, data_range=1).
  /// Images are [height, width, channels]; both sides must be at least 11 pixels.
  public static func ssim(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape && a.rank == 3, "ssim: expects equal [H, W, C] shapes, got \(a.shape) and \(b.shape)")
    let h = a.shape[0], w = a.shape[1], c = a.shape[2]
    precondition(h >= 11 && w >= 11, "ssim needs images of at least 11 x 11 pixels")
    var g = (-5...5).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
    let gs = g.reduce(0, +)
    g = g.map { $0 / gs }
    let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
    let x = a.scalars.map(Double.init), y = b.scalars.map(Double.init)
    var total = 0.0
    for ch in 0..<c {
      // Separable filtering on the valid region: rows first, then columns.
      func filtered(_ f: (Int) -> Double) -> [Double] {
        let ow = w - 10, oh = h - 10
        var rows = [Double](repeating: 0, count: h * ow)
        for i in 0..<h { for j in 0..<ow {
          var s = 0.0
          for k in 0..<11 { s += g[k] * f((i * w + j + k) * c + ch) }
          rows[i * ow + j] = s
        } }
        var out = [Double](repeating: 0, count: oh * ow)
        for i in 0..<oh { for j in 0..<ow {
          var s = 0.0
          for k in 0..<11 { s += g[k] * rows[(i + k) * ow + j] }
          out[i * ow + j] = s
        } }
        return out
      }
      let mx = filtered { x[$0] }, my = filtered { y[$0] }
      let mxx = filtered { x[$0] * x[$0] }, myy = filtered { y[$0] * y[$0] }, mxy = filtered { x[$0] * y[$0] }
      var s = 0.0
      for i in 0..<mx.count {
        let vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i], cxy = mxy[i] - mx[i] * my[i]
        s += ((2 * mx[i] * my[i] + c1) * (2 * cxy + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2))
      }
      total += s / Double(mx.count)
    }
    return total / Double(c)
  }
}
