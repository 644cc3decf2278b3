import Foundation

/// JPEG (libjpeg, 4:2:0) at a matched rate: the highest quality whose file does not exceed a bits-per-pixel
/// budget, found by bisection over quality 1-100 (file size grows with quality).
public enum JPEGBaseline {
  public struct Result {
    public var quality: Int
    public var bytes: Int
    public var bpp: Double
    public var decoded: Image
  }

  /// Nil when even quality 1 exceeds the budget.
  public static func matching(bpp target: Double, image: Image) throws -> Result? {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-jpeg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let pixels = Double(image.width * image.height)
    func encode(_ q: Int) throws -> Result {
      let url = dir.appendingPathComponent("q\(q).jpg")
      try image.writeJPEG(url, quality: q)
      let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
      return Result(quality: q, bytes: bytes, bpp: Double(bytes * 8) / pixels, decoded: try Image.load(url))
    }
    var lo = 1, hi = 100
    guard var best = Optional(try encode(lo)), best.bpp <= target else { return nil }
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      let r = try encode(mid)
      if r.bpp <= target { best = r; lo = mid } else { hi = mid - 1 }
    }
    return best
  }
}
