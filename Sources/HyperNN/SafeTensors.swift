import Foundation
import HyperTensor

/// A problem with a safetensors file; the message names the file and what was expected.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
  public let description: String
  init(_ path: String, _ what: String) { description = "\(path): \(what)" }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// mapping each tensor name to {dtype, shape, data_offsets} (plus an optional "__metadata__" map of
/// strings), then the raw little-endian data. Reads F32, F16 and BF16 (converted to Float32); writes F32.
public enum SafeTensors {
  /// A Codable value as a metadata string: JSON with sorted keys, so the same value always gives the same
  /// bytes (Swift's dictionary order changes from process to process) and equal runs write equal files.
  public static func metadataJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// Largest header accepted (the reference implementation's limit is 100 MB).
  public static let maxHeaderBytes = 100_000_000

  public struct File {
    /// Tensors in file order.
    public var tensors: [(String, Tensor)]
    public var metadata: [String: String]
    public subscript(_ name: String) -> Tensor? { tensors.first { $0.0 == name }?.1 }
    public var dictionary: [String: Tensor] { Dictionary(tensors, uniquingKeysWith: { a, _ in a }) }
  }

  public static func read(_ url: URL) throws -> File {
    // An empty file is answered before Foundation reads it (Data(contentsOf:) leaks 4 KiB on one; found
    // by the model fuzz target).
    var st = stat()
    if stat(url.path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size == 0 {
      throw SafeTensorsError(url.path, "truncated: 0 bytes, need an 8-byte header length")
    }
    let data: Data
    do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
      throw SafeTensorsError(url.path, "cannot be read (\(error.localizedDescription))")
    }
    return try decode(data, path: url.path)
  }

  public static func decode(_ data: Data, path: String = "<memory>") throws -> File {
    guard data.count >= 8 else { throw SafeTensorsError(path, "truncated: \(data.count) bytes, need an 8-byte header length") }
    let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard n <= UInt64(maxHeaderBytes) else { throw SafeTensorsError(path, "not a safetensors file: header length \(n) exceeds the \(maxHeaderBytes)-byte limit") }
    guard n >= 2, Int(n) <= data.count - 8 else {
      throw SafeTensorsError(path, "truncated: header length \(n) but only \(data.count - 8) bytes follow")
    }
    let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(n)))
    guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
      throw SafeTensorsError(path, "header is not a JSON object")
    }
    let dataStart = 8 + Int(n), dataLength = data.count - dataStart
    var metadata: [String: String] = [:]
    var entries: [(String, String, [Int], Int, Int)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let m = value as? [String: Any] else { throw SafeTensorsError(path, "__metadata__ is not an object") }
        for (k, v) in m {
          guard let s = v as? String else { throw SafeTensorsError(path, "__metadata__[\(k)] is not a string") }
          metadata[k] = s
        }
        continue
      }
      guard let e = value as? [String: Any], let dtype = e["dtype"] as? String,
            let shapeAny = e["shape"] as? [Any], let offsAny = e["data_offsets"] as? [Any], offsAny.count == 2 else {
        throw SafeTensorsError(path, "tensor '\(name)' needs dtype, shape and data_offsets [begin, end]")
      }
      let shape = try shapeAny.map { v -> Int in
        guard let i = (v as? NSNumber)?.intValue, i >= 0, (v as? NSNumber)?.doubleValue == Double(i) else {
          throw SafeTensorsError(path, "tensor '\(name)' has an invalid shape \(shapeAny)")
        }
        return i
      }
      let offs = try offsAny.map { v -> Int in
        guard let i = (v as? NSNumber)?.intValue, i >= 0 else {
          throw SafeTensorsError(path, "tensor '\(name)' has invalid data_offsets \(offsAny)")
        }
        return i
      }
      let width: Int
      switch dtype {
      case "F32": width = 4
      case "F16", "BF16": width = 2
      case "I64": width = 8
      case "I32": width = 4
      default: throw SafeTensorsError(path, "tensor '\(name)' has dtype \(dtype); supported: F32, F16, BF16, I64, I32")
      }
      let (count, overflow) = shape.reduce((1, false)) { acc, d in
        let r = acc.0.multipliedReportingOverflow(by: d)
        return (r.partialValue, acc.1 || r.overflow)
      }
      guard !overflow, offs[0] <= offs[1], offs[1] <= dataLength else {
        throw SafeTensorsError(path, "tensor '\(name)' data_offsets \(offs) lie outside the \(dataLength)-byte data section")
      }
      guard offs[1] - offs[0] == count * width else {
        throw SafeTensorsError(path, "tensor '\(name)' of shape \(shape) \(dtype) needs \(count * width) bytes, offsets span \(offs[1] - offs[0])")
      }
      entries.append((name, dtype, shape, offs[0], offs[1]))
    }
    entries.sort { $0.3 < $1.3 }
    // Integer tensors (index buffers such as BERT's position ids) become floats; a value a float cannot
    // hold exactly (beyond 2^24) is an error.
    var inexact: String?
    let tensors = data.withUnsafeBytes { raw -> [(String, Tensor)] in
      entries.map { name, dtype, shape, begin, _ in
        let src = raw.baseAddress! + dataStart + begin
        // The element decoder is chosen once per tensor, not per element.
        let element: (Int) -> Float
        switch dtype {
        case "F32": element = { Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
        case "F16": element = { halfToFloat(src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) }
        case "BF16": element = { Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) << 16) }
        default:
          let integer: (Int) -> Int64 = dtype == "I64" ? { Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
                                                       : { Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
          element = { i in
            let v = integer(i)
            if v.magnitude > 1 << 24 { inexact = inexact ?? name }
            return Float(v)
          }
        }
        return (name, Tensor.build(shape) { dst, n in for i in 0..<n { dst[i] = element(i) } })
      }
    }
    if let name = inexact { throw SafeTensorsError(path, "tensor '\(name)' holds an integer beyond 2^24, which a float cannot hold exactly") }
    return File(tensors: tensors, metadata: metadata)
  }

  /// IEEE binary16 bits to Float (normals, subnormals, infinities, NaN).
  static func halfToFloat(_ h: UInt16) -> Float {
    let sign: UInt32 = UInt32(h & 0x8000) << 16
    let exp = Int((h >> 10) & 0x1f), frac = UInt32(h & 0x3ff)
    if exp == 0 {
      let v = Float(frac) * 0x1p-24
      return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (frac << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
  }

  /// Serialises tensors (F32) and string metadata; the header is padded with spaces to 8-byte alignment.
  public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> Data {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for (name, t) in tensors {
      precondition(name != "__metadata__", "reserved tensor name")
      header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
      offset += 4 * t.count
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var out = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(json)
    for (_, t) in tensors {
      out.append(UnsafeBufferPointer(start: t.storage.pointer, count: t.count))
    }
    return out
  }

  /// Writes atomically: to a temporary file beside `url`, then renamed over it.
  public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
    try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
  }
}
