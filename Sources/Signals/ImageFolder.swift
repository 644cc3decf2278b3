import Dispatch
import Foundation
import HyperTensor

/// An image data set: every .png/.jpg/.jpeg below a folder (recursively, sorted by path) or an explicit
/// list, each loaded (alpha composited on white) and transformed to a size x size RGB tensor, served in
/// seeded shuffled batches with the next batch decoded on a background thread.
public struct ImageFolder: SignalSet {
  public enum Transform: Equatable, Sendable {
    /// Resize the short side, then centre crop (the CelebA protocol of Trans-INR: resize 178, crop 178).
    case resizeCenterCrop(resize: Int, crop: Int)
    /// A random crop (no resize), with an optional horizontal flip.
    case randomCrop(size: Int, flip: Bool)
    /// Centre crop (no resize).
    case centerCrop(size: Int)
    /// Resize to exactly size x size.
    case resize(size: Int)
  }

  public let files: [URL]
  public let transform: Transform
  public let channels: Int

  public init(root: URL, transform: Transform, channels: Int = 3) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
      throw SignalError(root.path, "is not a folder")
    }
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
      throw SignalError(root.path, "cannot be listed")
    }
    var found: [URL] = []
    for case let u as URL in walker where ["png", "jpg", "jpeg"].contains(u.pathExtension.lowercased()) { found.append(u) }
    guard !found.isEmpty else { throw SignalError(root.path, "contains no .png or .jpg images") }
    try self.init(files: found.sorted { $0.path < $1.path }, transform: transform, channels: channels)
  }

  /// A folder (searched recursively) or a text file listing one image per line (relative to the list's
  /// folder; blank lines and lines starting with # are skipped). Every file must exist, be readable and
  /// start with a PNG or JPEG signature; decoding errors later still name the file.
  public static func open(_ path: String, transform: Transform, channels: Int = 3) throws -> ImageFolder {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw SignalError(path, "does not exist") }
    let set: ImageFolder
    if isDir.boolValue {
      set = try ImageFolder(root: URL(fileURLWithPath: path), transform: transform, channels: channels)
    } else {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw SignalError(path, "is not a readable text list of images") }
      let base = URL(fileURLWithPath: path).deletingLastPathComponent()
      let files = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        .map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : base.appendingPathComponent($0) }
      guard !files.isEmpty else { throw SignalError(path, "lists no images") }
      set = try ImageFolder(files: files, transform: transform, channels: channels)
    }
    for f in set.files { try checkSignature(f) }
    return set
  }

  private static func checkSignature(_ url: URL) throws {
    let head = [UInt8](try FileContents.head(url, count: 8))
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard head == png || head.starts(with: [0xFF, 0xD8, 0xFF]) else {
      throw SignalError(url.path, "is not a PNG or JPEG file (\(head.isEmpty ? "empty" : "wrong signature"))")
    }
  }

  public init(files: [URL], transform: Transform, channels: Int = 3) throws {
    guard !files.isEmpty else { throw SignalError("(file list)", "is empty") }
    self.files = files
    self.transform = transform
    self.channels = channels
  }

  public var count: Int { files.count }

  public var size: Int {
    switch transform {
    case let .resizeCenterCrop(_, crop): return crop
    case let .randomCrop(size, _), let .centerCrop(size), let .resize(size): return size
    }
  }

  /// Item i as [size, size, channels]; random crops and flips draw from `rng`.
  public func item(_ i: Int, rng: inout RandomGenerator) throws -> Tensor {
    var img = try Image.load(files[i], alpha: .composite(background: 1))
    if img.channels != channels {
      guard img.channels == 1 && channels == 3 else {
        throw SignalError(files[i].path, "has \(img.channels) channels, expected \(channels)")
      }
      img = Image(pixels: img.pixels.broadcast(to: [img.height, img.width, 3]))
    }
    switch transform {
    case let .resizeCenterCrop(resize, crop): img = img.resizedShortSide(to: resize).centerCropped(crop)
    case let .resize(size): img = img.resized(height: size, width: size)
    case let .centerCrop(size), let .randomCrop(size, _):
      guard img.height >= size && img.width >= size else {
        throw SignalError(files[i].path, "is \(img.width)x\(img.height), smaller than the \(size)x\(size) crop")
      }
      if case let .randomCrop(_, flip) = transform {
        img = img.randomCropped(size, rng: &rng)
        if flip && rng.nextFloat() < 0.5 { img = img.horizontallyFlipped() }
      } else {
        img = img.centerCropped(size)
      }
    }
    return img.pixels
  }

  /// Items `indices` stacked as [B, size, size, channels], each with its own generator derived from `seed`
  /// and the item's position, so a batch is the same whichever thread decodes it.
  public func batch(_ indices: [Int], seed: UInt64) throws -> Tensor {
    var out: [Tensor] = []
    for (k, i) in indices.enumerated() {
      var rng = RandomGenerator(seed: seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
      out.append(try item(i, rng: &rng))
    }
    return Tensor.stack(out)
  }
}
