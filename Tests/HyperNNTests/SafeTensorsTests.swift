import XCTest
import Foundation
import HyperNN
import HyperTensor

final class SafeTensorsTests: XCTestCase {
  private var tmp: URL!

  override func setUpWithError() throws {
    tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-st-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

  func testRoundTripWithMetadata() throws {
    var rng = RandomGenerator(seed: 2)
    let a = Tensor.normal([2, 3, 4], rng: &rng), b = Tensor(scalar: 7), c = Tensor.zeros([0, 5])
    let url = tmp.appendingPathComponent("x.safetensors")
    try SafeTensors.write([("a", a), ("b", b), ("empty", c)], metadata: ["config": "{\"k\": 1}"], to: url)
    let f = try SafeTensors.read(url)
    XCTAssertEqual(f["a"]!.shape, [2, 3, 4])
    XCTAssertEqual(f["a"]!.scalars, a.scalars)
    XCTAssertEqual(f["b"]!.shape, [])
    XCTAssertEqual(f["b"]!.item(), 7)
    XCTAssertEqual(f["empty"]!.shape, [0, 5])
    XCTAssertEqual(f.metadata["config"], "{\"k\": 1}")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
    XCTAssertEqual(leftovers, ["x.safetensors"])
  }

  /// A file written by Python's safetensors with F32, F16 and BF16 (Fixtures/make_fixtures.py).
  func testReadsPythonFileWithHalfPrecision() throws {
    let f = try SafeTensors.read(fixtureURL("dtypes.safetensors"))
    XCTAssertEqual(f.metadata["producer"], "make_fixtures.py")
    XCTAssertEqual(f.metadata["note"], "é ünïcode")
    XCTAssertEqual(f["f16"]!.shape, [2, 4])
    XCTAssertEqual(f["f16"]!.scalars, f["f16_as_f32"]!.scalars)
    XCTAssertEqual(f["bf16"]!.scalars, f["bf16_as_f32"]!.scalars)
    XCTAssertEqual(f["f32"]!.scalars[3], 3.140625)
    XCTAssertEqual(f["f16"]!.scalars[4], 65504)
  }

  private func header(_ json: String, data: [UInt8] = []) -> Data {
    var d = Data()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array(json.utf8))
    d.append(contentsOf: data)
    return d
  }

  private func assertFails(_ data: Data, contains needle: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try SafeTensors.decode(data, path: "bad.safetensors"), file: file, line: line) { e in
      let msg = String(describing: e)
      XCTAssert(msg.contains("bad.safetensors") && msg.contains(needle), "message: \(msg)", file: file, line: line)
    }
  }

  func testTruncatedFiles() throws {
    let good = try SafeTensors.encode([("w", Tensor([1, 2, 3, 4]))])
    assertFails(good.prefix(5), contains: "truncated")
    assertFails(good.prefix(20), contains: "truncated")
    assertFails(good.prefix(good.count - 4), contains: "outside")
  }

  func testMalformedHeaderJSON() {
    assertFails(header("{\"w\": {\"dtype\": \"F32\", "), contains: "JSON")
    assertFails(header("[1, 2, 3]"), contains: "JSON")
    assertFails(header("{\"w\": {\"dtype\": \"F32\"}}"), contains: "data_offsets")
    assertFails(header("{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", data: [0]),
                contains: "U8")
    assertFails(header("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", data: [0, 0, 0, 0]),
                contains: "shape")
  }

  func testOutOfRangeAndInconsistentOffsets() {
    assertFails(header("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", data: [0, 0, 0, 0]),
                contains: "outside")
    assertFails(header("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 4]}}", data: Array(repeating: 0, count: 8)),
                contains: "outside")
    assertFails(header("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", data: Array(repeating: 0, count: 8)),
                contains: "needs 12 bytes")
    assertFails(header("{\"w\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 8]}}", data: Array(repeating: 0, count: 8)),
                contains: "outside")
  }

  func testAbsurdHeaderSize() {
    var d = Data()
    withUnsafeBytes(of: UInt64(1 << 62).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array("{}".utf8))
    assertFails(d, contains: "exceeds")
  }

  func testMissingFileNamesPath() {
    XCTAssertThrowsError(try SafeTensors.read(tmp.appendingPathComponent("nope.safetensors"))) { e in
      XCTAssert(String(describing: e).contains("nope.safetensors"))
    }
  }

  func testModuleLoadVerification() throws {
    var rng = RandomGenerator(seed: 3)
    let a = MLP([2, 4, 1], rng: &rng), b = MLP([2, 4, 1], rng: &rng)
    let url = tmp.appendingPathComponent("mlp.safetensors")
    try a.save(to: url)
    try b.load(contentsOf: url)
    XCTAssertEqual(a.stateDict()["layers.0.weight"]!.scalars, b.stateDict()["layers.0.weight"]!.scalars)

    var state = a.stateDict()
    state["extra"] = Tensor([1])
    XCTAssertThrowsError(try b.load(state)) { XCTAssert(String(describing: $0).contains("unused")) }
    XCTAssertEqual(try b.load(state, options: LoadOptions(allowUnused: true)).unused, ["extra"])
    state["extra"] = nil
    state["layers.1.bias"] = nil
    XCTAssertThrowsError(try b.load(state)) { XCTAssert(String(describing: $0).contains("missing")) }
    XCTAssertEqual(try b.load(state, options: LoadOptions(allowMissing: true)).missing, ["layers.1.bias"])
    state["layers.1.bias"] = Tensor([1, 2])
    XCTAssertThrowsError(try b.load(state, options: LoadOptions(allowMissing: true, allowUnused: true))) {
      XCTAssert(String(describing: $0).contains("shape [2]"))
    }
  }

  /// Integer tensors (I64, I32; BERT's position-id buffer) load as floats; one beyond 2^24 is refused.
  func testIntegerTensorsLoadAsFloats() throws {
    func file(_ i64: [Int64], _ i32: [Int32]) -> Data {
      let header = #"{"a":{"dtype":"I64","shape":[\#(i64.count)],"data_offsets":[0,\#(8 * i64.count)]},"b":{"dtype":"I32","shape":[\#(i32.count)],"data_offsets":[\#(8 * i64.count),\#(8 * i64.count + 4 * i32.count)]}}"#
      var d = Data()
      withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
      d.append(Data(header.utf8))
      for v in i64 { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
      for v in i32 { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
      return d
    }
    let f = try SafeTensors.decode(file([0, -5, 1 << 24], [7, -2]))
    XCTAssertEqual(f["a"]?.scalars, [0, -5, 16_777_216])
    XCTAssertEqual(f["b"]?.scalars, [7, -2])
    XCTAssertThrowsError(try SafeTensors.decode(file([1 << 24 + 1], [0]))) { XCTAssert("\($0)".contains("tensor 'a' holds an integer beyond 2^24"), "\($0)") }
  }
}
