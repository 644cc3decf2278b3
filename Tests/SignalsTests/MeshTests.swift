import Foundation
import HyperTensor
import Signals
import XCTest

final class MeshTests: XCTestCase {
  /// A closed UV sphere of radius r.
  static func sphere(radius r: Float, rings: Int = 24, segments: Int = 48) -> Mesh {
    var v: [SIMD3<Float>] = [SIMD3(0, 0, r)]
    for i in 1..<rings {
      let th = Float.pi * Float(i) / Float(rings)
      for j in 0..<segments {
        let ph = 2 * Float.pi * Float(j) / Float(segments)
        v.append(SIMD3(r * Foundation.sin(th) * Foundation.cos(ph), r * Foundation.sin(th) * Foundation.sin(ph), r * Foundation.cos(th)))
      }
    }
    v.append(SIMD3(0, 0, -r))
    var t: [SIMD3<Int32>] = []
    func ring(_ i: Int, _ j: Int) -> Int32 { Int32(1 + (i - 1) * segments + (j % segments)) }
    for j in 0..<segments { t.append(SIMD3(0, ring(1, j), ring(1, j + 1))) }
    for i in 1..<(rings - 1) {
      for j in 0..<segments {
        t.append(SIMD3(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1)))
        t.append(SIMD3(ring(i, j), ring(i + 1, j + 1), ring(i, j + 1)))
      }
    }
    let last = Int32(v.count - 1)
    for j in 0..<segments { t.append(SIMD3(last, ring(rings - 1, j + 1), ring(rings - 1, j))) }
    return Mesh(vertices: v, triangles: t)
  }

  func testInsideTestMatchesAnalyticSphere() {
    let mesh = Self.sphere(radius: 0.6)
    let grid = OccupancySampler.grid(mesh, resolution: 24)
    let pts = OccupancySampler.gridPoints(24)
    var wrong = 0
    for (p, inside) in zip(pts, grid) {
      let d = (p * p).sum().squareRoot()
      if abs(d - 0.6) > 0.02 && (d < 0.6) != inside { wrong += 1 }
    }
    XCTAssertEqual(wrong, 0)
    XCTAssertGreaterThan(grid.filter { $0 }.count, 1000)
  }

  func testMarchingTetrahedraRecoversSphere() {
    let n = 32
    let pts = OccupancySampler.gridPoints(n)
    let values = pts.map { 0.5 - ($0 * $0).sum().squareRoot() }  // inside: > 0
    let mesh = MarchingTetrahedra.extract(values, resolution: n)
    XCTAssertGreaterThan(mesh.triangles.count, 1000)
    for v in mesh.vertices { XCTAssertEqual((v * v).sum().squareRoot(), 0.5, accuracy: 0.02) }
    // Closed surface: every edge is shared by exactly two triangles, with opposite directions.
    var edges: [Int: Int] = [:]
    for t in mesh.triangles {
      for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] { edges[Int(a) << 32 | Int(b), default: 0] += 1 }
    }
    XCTAssert(edges.allSatisfy { key, count in count == 1 && edges[(key & 0xFFFF_FFFF) << 32 | (key >> 32)] == 1 })
    // Outward orientation: the signed volume is positive and close to the ball's.
    var volume: Float = 0
    for t in mesh.triangles {
      let a = mesh.vertices[Int(t.x)], b = mesh.vertices[Int(t.y)], c = mesh.vertices[Int(t.z)]
      volume += (a.x * (b.y * c.z - b.z * c.y) - a.y * (b.x * c.z - b.z * c.x) + a.z * (b.x * c.y - b.y * c.x)) / 6
    }
    XCTAssertEqual(volume, 4 / 3 * Float.pi * 0.125, accuracy: 0.02)
    let iou = OccupancySampler.iou(OccupancySampler.grid(mesh, resolution: 40), OccupancySampler.grid(Self.sphere(radius: 0.5), resolution: 40))
    XCTAssertGreaterThan(iou, 0.95)
  }
}

final class MeshFileTests: XCTestCase {
  private var dir: URL!
  override func setUpWithError() throws { dir = try Fixture.temporaryDirectory() }
  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  private func write(_ name: String, _ data: Data) -> URL {
    let u = dir.appendingPathComponent(name)
    try! data.write(to: u)
    return u
  }

  private let square = Mesh(vertices: [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(1, 1, 0), SIMD3(0, 1, 0)],
                            triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)])

  func testOBJPolygonsIndexFormsAndRoundTrip() throws {
    let text = "# comment\nmtllib x.mtl\nv 0 0 0\nv 1 0 0\nv 1 1 0\nvn 0 0 1\nvt 0 0\nv 0 1 0\ng quad\nf 1/1/1 2//1 -2/1 4\n"
    XCTAssertEqual(try Mesh.load(write("q.obj", Data(text.utf8))), square)
    let out = dir.appendingPathComponent("out.obj")
    try square.writeOBJ(out)
    XCTAssertEqual(try Mesh.load(out), square)
  }

  private func ply(_ format: String, _ body: Data) -> Data {
    var d = Data("ply\nformat \(format) 1.0\ncomment test\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n".utf8)
    d.append(body)
    return d
  }

  func testPLYAsciiAndBinary() throws {
    let ascii = "0 0 0 9\n1 0 0 9\n1 1 0 9\n0 1 0 9\n4 0 1 2 3\n"
    XCTAssertEqual(try Mesh.load(write("a.ply", ply("ascii", Data(ascii.utf8)))), square)
    for (format, little) in [("binary_little_endian", true), ("binary_big_endian", false)] {
      var body = Data()
      func f32(_ v: Float) { var b = little ? v.bitPattern.littleEndian : v.bitPattern.bigEndian; body.append(Data(bytes: &b, count: 4)) }
      func i32(_ v: Int32) { var b = little ? v.littleEndian : v.bigEndian; body.append(Data(bytes: &b, count: 4)) }
      for v in square.vertices { f32(v.x); f32(v.y); f32(v.z); body.append(7) }
      body.append(4)
      for i in [0, 1, 2, 3] as [Int32] { i32(i) }
      XCTAssertEqual(try Mesh.load(write("\(format).ply", ply(format, body))), square, format)
      XCTAssertThrowsError(try Mesh.load(write("t\(format).ply", ply(format, body.prefix(body.count - 3))))) {
        XCTAssert(String(describing: $0).contains("truncated"), "\($0)")
      }
    }
  }

  func testCorruptMeshesGiveClearErrors() {
    let cases: [(String, String, String)] = [
      ("badv.obj", "v 0 0\nf 1 2 3\n", "line 1"),
      ("range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", "out of range"),
      ("noface.obj", "v 0 0 0\n", "no faces"),
      ("nan.obj", "v 0 nan 0\n", "finite"),
      ("noheader.ply", "ply\nformat ascii 1.0\nelement vertex 1\n", "end_header"),
      ("magic.ply", "plx\nend_header\n", "magic"),
      ("short.ply", "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2\n", "truncated"),
      ("noz.ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n1 2\n", "no 'z' property"),
      ("huge.ply", "ply\nformat ascii 1.0\nelement vertex 1000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n",
       "more than its"),
      ("nanv.ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\nnan 0 0\n", "finite"),
      // A face index beyond any integer (found by the PLY fuzz target: it trapped converting to Int).
      ("bigindex.ply", "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\n"
        + "property list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 8888888888888888888888880 1 2\n", "not a vertex number"),
      ("fraclist.ply", "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\n"
        + "property list float int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n2.5 0 1 2\n", "bad list length"),
      // An element without properties, declared a hundred trillion times, is skipped at once (no hang).
      ("empty.ply", "ply\nformat ascii 1.0\nelement junk 100000000000000\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n",
       "no faces"),
    ]
    for (name, text, needle) in cases {
      XCTAssertThrowsError(try Mesh.load(write(name, Data(text.utf8))), name) { e in
        XCTAssert(String(describing: e).contains(name) && String(describing: e).contains(needle), "\(e)")
      }
    }
    XCTAssertThrowsError(try Mesh.load(dir.appendingPathComponent("missing.obj")))
    XCTAssertThrowsError(try Mesh.load(write("x.stl", Data("solid".utf8)))) { XCTAssert(String(describing: $0).contains("unsupported")) }
  }

  func testRealMeshesLoad() throws {
    let data = try Fixture.requireSharedData()
    let bunny = try Mesh.load(data.appendingPathComponent("meshes/stanford-bunny.obj"))
    XCTAssertGreaterThan(bunny.triangles.count, 10_000)
    for name in try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("meshes").path) where name.hasSuffix(".obj") {
      XCTAssertFalse(try Mesh.load(data.appendingPathComponent("meshes/\(name)")).triangles.isEmpty, name)
    }
  }
}
