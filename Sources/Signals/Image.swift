import CImageCodecs
import Foundation
import HyperTensor

/// A raster image with values in [0, 1]: `pixels` has shape [height, width, channels]
/// (channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
public struct Image {
  public var pixels: Tensor
  public var height: Int { pixels.shape[0] }
  public var width: Int { pixels.shape[1] }
  public var channels: Int { pixels.shape[2] }

  public init(pixels: Tensor) {
    precondition(pixels.rank == 3 && (1...4).contains(pixels.shape[2]), "image pixels must be [H, W, 1-4], got \(pixels.shape)")
    self.pixels = pixels
  }

  /// What to do with an alpha channel when loading.
  public enum AlphaMode: Equatable, Sendable {
    /// Keep it as a channel.
    case keep
    /// Composite over a uniform background value (1 = white) and drop it.
    case composite(background: Float)
  }

  /// Loads a PNG (any colour type and bit depth) or JPEG (baseline or progressive) file, by content.
  public static func load(_ url: URL, alpha: AlphaMode = .keep) throws -> Image {
    let head = try FileContents.head(url, count: 8)
    var img = hi_image()
    var err = [CChar](repeating: 0, count: 256)
    let rc: Int32
    if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
      rc = hi_png_read(url.path, &img, &err, err.count)
    } else if head.starts(with: [0xFF, 0xD8]) {
      rc = hi_jpeg_read(url.path, &img, &err, err.count)
    } else {
      throw SignalError(url.path, "not a PNG or JPEG file")
    }
    defer { hi_image_free(&img) }
    guard rc == 0 else {
      throw SignalError(url.path, "corrupt or unreadable image (\(String(cString: err)))")
    }
    let h = Int(img.height), w = Int(img.width), c = Int(img.channels)
    let t = Tensor.build([h, w, c]) { p, n in
      if img.bits == 16 {
        for i in 0..<n { p[i] = Float(img.data16[i]) / 65535 }
      } else {
        for i in 0..<n { p[i] = Float(img.data8[i]) / 255 }
      }
    }
    var image = Image(pixels: t)
    if case .composite(let bg) = alpha, c == 2 || c == 4 { image = image.compositing(background: bg) }
    return image
  }

  /// Drops the alpha channel by compositing over a uniform background: rgb * a + bg * (1 - a).
  public func compositing(background bg: Float) -> Image {
    guard channels == 2 || channels == 4 else { return self }
    let color = pixels.slice(axis: 2, 0, channels - 1), a = pixels.slice(axis: 2, channels - 1, channels)
    return Image(pixels: color * a + (1 - a) * bg)
  }

  /// A grey image as RGB (other images as they are).
  public var rgb: Image { channels == 1 ? Image(pixels: pixels.broadcast(to: [height, width, 3])) : self }

  /// Images of one size and channel count side by side, `columns` to a row, row after row (a last short
  /// row is filled with white).
  public static func tiled(_ images: [Image], columns: Int) -> Image {
    precondition(!images.isEmpty && columns >= 1, "tiling needs at least one image and one column")
    let shape = images[0].pixels.shape
    precondition(images.allSatisfy { $0.pixels.shape == shape }, "tiled images must share one shape")
    let c = min(columns, images.count), blank = Tensor.full(shape, 1)
    let rows = stride(from: 0, to: images.count, by: c).map { s in
      Tensor.concat((s..<(s + c)).map { $0 < images.count ? images[$0].pixels : blank }, axis: 1)
    }
    return Image(pixels: Tensor.concat(rows, axis: 0))
  }

  /// 8-bit samples (clamped to [0, 1], rounded to nearest; NaN becomes 0).
  public func bytes() -> [UInt8] { pixels.scalars.map { $0.isNaN ? 0 : UInt8((min(max($0, 0), 1) * 255).rounded()) } }

  /// Writes a PNG (8-bit) atomically; refuses pixels that are NaN or infinite (nothing is written).
  public func writePNG(_ url: URL) throws {
    try SignalError.requireFinite(pixels, writing: url)
    try Self.writeAtomically(url) { tmp, err in
      hi_png_write(tmp, bytes(), Int32(width), Int32(height), Int32(channels), err, 256)
    }
  }

  /// Writes a baseline JPEG (gray or RGB) at `quality` 1-100 atomically; refuses NaN or infinite pixels.
  public func writeJPEG(_ url: URL, quality: Int) throws {
    try SignalError.requireFinite(pixels, writing: url)
    guard channels == 1 || channels == 3 else { throw SignalError(url.path, "JPEG needs a gray or RGB image, this one has \(channels) channels") }
    try Self.writeAtomically(url) { tmp, err in
      hi_jpeg_write(tmp, bytes(), Int32(width), Int32(height), Int32(channels), Int32(max(1, min(100, quality))), err, 256)
    }
  }

  private static func writeAtomically(_ url: URL, _ body: (String, UnsafeMutablePointer<CChar>) -> Int32) throws {
    try AtomicFile.write(to: url) { tmp in
      var err = [CChar](repeating: 0, count: 256)
      let rc = err.withUnsafeMutableBufferPointer { body(tmp.path, $0.baseAddress!) }
      guard rc == 0 else { throw SignalError(url.path, "cannot be written (\(String(cString: err)))") }
    }
  }
}
