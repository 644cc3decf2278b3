import Foundation
import HyperTensor

/// A triangle mesh: vertices [V][3] and triangles (polygons are split into fans when read).
public struct Mesh: Equatable {
  public var vertices: [SIMD3<Float>]
  public var triangles: [SIMD3<Int32>]

  public init(vertices: [SIMD3<Float>], triangles: [SIMD3<Int32>]) {
    self.vertices = vertices
    self.triangles = triangles
  }

  /// Loads .obj or .ply by extension.
  public static func load(_ url: URL) throws -> Mesh {
    let data = try FileContents.read(url)
    let mesh: Mesh
    switch url.pathExtension.lowercased() {
    case "obj": mesh = try MeshOBJ.parse(data, path: url.path)
    case "ply": mesh = try MeshPLY.parse(data, path: url.path)
    default: throw SignalError(url.path, "unsupported mesh type '.\(url.pathExtension)' (expected .obj or .ply)")
    }
    guard !mesh.triangles.isEmpty else { throw SignalError(url.path, "the mesh has no faces") }
    return mesh
  }

  /// Axis-aligned bounds.
  public var bounds: (SIMD3<Float>, SIMD3<Float>) {
    var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
    for v in vertices { lo = pointwiseMin(lo, v); hi = pointwiseMax(hi, v) }
    return (lo, hi)
  }

  /// The mesh moved and uniformly scaled so that its bounding box is centred and its longest side spans
  /// [-extent, extent] (aspect kept).
  public func normalized(extent: Float = 0.9) -> Mesh {
    let (lo, hi) = bounds
    let centre = (lo + hi) / 2, size = (hi - lo).max()
    let s = size > 0 ? 2 * extent / size : 1
    return Mesh(vertices: vertices.map { ($0 - centre) * s }, triangles: triangles)
  }

  /// Wavefront OBJ text (1-based indices).
  public func objText() -> String {
    var out = "# written by HyperINR\n"
    out.reserveCapacity(vertices.count * 32 + triangles.count * 24)
    for v in vertices { out += "v \(v.x) \(v.y) \(v.z)\n" }
    for t in triangles { out += "f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n" }
    return out
  }

  /// Writes OBJ atomically.
  public func writeOBJ(_ url: URL) throws { try AtomicFile.write(Data(objText().utf8), to: url) }
}

/// Wavefront OBJ: `v x y z` and `f i j k ...` (forms i, i/t, i//n, i/t/n; negative indices count from the
/// end); everything else is ignored.
enum MeshOBJ {
  static func parse(_ data: Data, path: String) throws -> Mesh {
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<Int32>] = []
    var lineNumber = 0
    for lineSub in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      guard let first = lineSub.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "f") else { continue }
      let line = String(decoding: lineSub, as: UTF8.self)
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      guard let tag = fields.first else { continue }
      if tag == "v" {
        guard fields.count >= 4, let x = Float(fields[1]), let y = Float(fields[2]), let z = Float(fields[3]),
              x.isFinite, y.isFinite, z.isFinite else {
          throw SignalError(path, "line \(lineNumber): expected 'v x y z' with three finite numbers")
        }
        vertices.append(SIMD3(x, y, z))
      } else if tag == "f" {
        guard fields.count >= 4 else { throw SignalError(path, "line \(lineNumber): a face needs at least 3 vertices") }
        var idx: [Int32] = []
        for f in fields.dropFirst() {
          guard let v = Int(f.split(separator: "/", omittingEmptySubsequences: false).first ?? "") else {
            throw SignalError(path, "line \(lineNumber): bad face index '\(f)'")
          }
          let i = v < 0 ? vertices.count + v : v - 1
          guard v != 0, i >= 0, i < vertices.count else {
            throw SignalError(path, "line \(lineNumber): face index \(v) out of range (\(vertices.count) vertices so far)")
          }
          idx.append(Int32(i))
        }
        for k in 1..<(idx.count - 1) { triangles.append(SIMD3(idx[0], idx[k], idx[k + 1])) }
      }
    }
    return Mesh(vertices: vertices, triangles: triangles)
  }
}

/// PLY (ascii, binary little- and big-endian): the `vertex` element's x, y, z and the `face` element's
/// vertex index list; other elements and properties are skipped.
enum MeshPLY {
  struct Property { var name: String; var type: String; var listCountType: String? }
  struct Element { var name: String; var count: Int; var properties: [Property] }

  static func size(_ type: String) -> Int? {
    switch type {
    case "char", "uchar", "int8", "uint8": return 1
    case "short", "ushort", "int16", "uint16": return 2
    case "int", "uint", "float", "int32", "uint32", "float32": return 4
    case "double", "float64": return 8
    default: return nil
    }
  }

  static func parse(_ data: Data, path: String) throws -> Mesh {
    let bytes = [UInt8](data)
    guard let headerEnd = findHeaderEnd(bytes) else { throw SignalError(path, "not a PLY file (no 'end_header')") }
    let header = String(decoding: bytes[0..<headerEnd], as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    guard header.first == "ply" else { throw SignalError(path, "not a PLY file (missing 'ply' magic)") }
    var format = "", elements: [Element] = []
    for line in header.dropFirst() {
      let f = line.split(separator: " ").map(String.init)
      guard let tag = f.first else { continue }
      switch tag {
      case "format": format = f.count > 1 ? f[1] : ""
      case "element":
        guard f.count == 3, let n = Int(f[2]), n >= 0 else { throw SignalError(path, "bad header line '\(line)'") }
        elements.append(Element(name: f[1], count: n, properties: []))
      case "property":
        guard !elements.isEmpty else { throw SignalError(path, "property before any element") }
        if f.count == 5 && f[1] == "list" {
          guard size(f[2]) != nil, size(f[3]) != nil else { throw SignalError(path, "unknown property type in '\(line)'") }
          elements[elements.count - 1].properties.append(Property(name: f[4], type: f[3], listCountType: f[2]))
        } else if f.count == 3, size(f[1]) != nil {
          elements[elements.count - 1].properties.append(Property(name: f[2], type: f[1], listCountType: nil))
        } else {
          throw SignalError(path, "bad property line '\(line)'")
        }
      default: continue
      }
    }
    guard ["ascii", "binary_little_endian", "binary_big_endian"].contains(format) else {
      throw SignalError(path, "unsupported PLY format '\(format)'")
    }
    if let v = elements.first(where: { $0.name == "vertex" }) {
      for axis in ["x", "y", "z"] where !v.properties.contains(where: { $0.name == axis && $0.listCountType == nil }) {
        throw SignalError(path, "the vertex element has no '\(axis)' property (expected x, y and z)")
      }
    }
    for e in elements where e.count > bytes.count && !e.properties.isEmpty {
      throw SignalError(path, "declares \(e.count) \(e.name) elements, more than its \(bytes.count) bytes can hold")
    }
    var reader = PLYReader(bytes: bytes, offset: headerEnd + "end_header\n".utf8.count, format: format, path: path)
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<Int32>] = []
    for e in elements where !e.properties.isEmpty {
      for _ in 0..<e.count {
        var xyz = SIMD3<Float>(repeating: 0)
        var list: [Int] = []
        for p in e.properties {
          if let ct = p.listCountType {
            let n = try reader.value(ct)
            guard n >= 0 && n < 65536, n == n.rounded() else { throw SignalError(path, "bad list length \(n)") }
            list = try (0..<Int(n)).map { _ in
              let i = try reader.value(p.type)
              guard i >= 0 && i < Double(Int32.max), i == i.rounded() else { throw SignalError(path, "face index \(i) is not a vertex number") }
              return Int(i)
            }
          } else {
            let v = try reader.value(p.type)
            if e.name == "vertex" {
              switch p.name { case "x": xyz.x = Float(v); case "y": xyz.y = Float(v); case "z": xyz.z = Float(v); default: break }
            }
          }
        }
        if e.name == "vertex" {
          guard xyz.x.isFinite, xyz.y.isFinite, xyz.z.isFinite else { throw SignalError(path, "vertex \(vertices.count) is not three finite numbers") }
          vertices.append(xyz)
        }
        if e.name == "face" {
          guard list.count >= 3 else { throw SignalError(path, "a face needs at least 3 vertices") }
          guard list.allSatisfy({ $0 >= 0 && $0 < vertices.count }) else {
            throw SignalError(path, "face index out of range (\(vertices.count) vertices)")
          }
          for k in 1..<(list.count - 1) { triangles.append(SIMD3(Int32(list[0]), Int32(list[k]), Int32(list[k + 1]))) }
        }
      }
    }
    return Mesh(vertices: vertices, triangles: triangles)
  }

  static func findHeaderEnd(_ b: [UInt8]) -> Int? {
    let marker = Array("end_header".utf8)
    guard b.count >= marker.count else { return nil }
    for i in 0...(b.count - marker.count) where b[i] == marker[0] && Array(b[i..<i + marker.count]) == marker {
      return i
    }
    return nil
  }

  struct PLYReader {
    let bytes: [UInt8]
    var offset: Int
    let format: String
    let path: String
    var tokens: [Substring] = []
    var tokenIndex = 0

    init(bytes: [UInt8], offset: Int, format: String, path: String) {
      self.bytes = bytes
      self.format = format
      self.path = path
      var o = offset
      if o < bytes.count && bytes[o - 1] != UInt8(ascii: "\n") { while o < bytes.count && bytes[o] != UInt8(ascii: "\n") { o += 1 }; o += 1 }
      self.offset = min(o, bytes.count)
      if format == "ascii" {
        tokens = String(decoding: bytes[self.offset...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
      }
    }

    mutating func value(_ type: String) throws -> Double {
      if format == "ascii" {
        guard tokenIndex < tokens.count else { throw SignalError(path, "truncated: fewer values than the header declares") }
        defer { tokenIndex += 1 }
        guard let v = Double(tokens[tokenIndex]) else { throw SignalError(path, "bad number '\(tokens[tokenIndex])'") }
        return v
      }
      let n = MeshPLY.size(type)!
      guard offset + n <= bytes.count else { throw SignalError(path, "truncated: fewer bytes than the header declares") }
      var raw: UInt64 = 0
      for k in 0..<n {
        let byte = UInt64(bytes[offset + (format == "binary_little_endian" ? k : n - 1 - k)])
        raw |= byte << (8 * UInt64(k))
      }
      offset += n
      switch type {
      case "char", "int8": return Double(Int8(truncatingIfNeeded: raw))
      case "uchar", "uint8": return Double(UInt8(truncatingIfNeeded: raw))
      case "short", "int16": return Double(Int16(truncatingIfNeeded: raw))
      case "ushort", "uint16": return Double(UInt16(truncatingIfNeeded: raw))
      case "int", "int32": return Double(Int32(truncatingIfNeeded: raw))
      case "uint", "uint32": return Double(UInt32(truncatingIfNeeded: raw))
      case "float", "float32": return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
      default: return Double(bitPattern: raw)
      }
    }
  }
}
