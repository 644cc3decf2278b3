import CImageCodecs

/// zlib deflate at the best compression level (the lossless stage of the `.hinr` codec and of the
/// quantized-MLP baseline's size).
enum Deflate {
  static func compress(_ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: hi_deflate_bound(bytes.count))
    var n = out.count
    let rc = hi_deflate(bytes, bytes.count, &out, &n)
    precondition(rc == 0, "zlib deflate failed")
    return Array(out[0..<n])
  }
}
