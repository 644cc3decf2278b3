import Foundation
import Synchronization
import XCTest

/// The `hyperinr` executable end to end: exit codes, one-line errors, no half-written outputs.
final class CLITests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  private func run(_ args: [String]) throws -> (Int32, String, String) { try CLIProcess.run(args, in: dir) }

  private func image(_ name: String, size: Int = 24) throws -> String {
    // A gray gradient encoded by the independent PNGWriter below (not by the code under test).
    let path = dir.appendingPathComponent(name).path
    var raw = Data()
    for y in 0..<size { raw.append(0); for x in 0..<size { raw.append(UInt8((x * 7 + y * 5) % 256)) } }
    try PNGWriter.gray(width: size, height: size, raw: raw).write(to: URL(fileURLWithPath: path))
    return path
  }

  func testHelpAndUnknownOption() throws {
    let (s, out, _) = try run(["--help"])
    XCTAssertEqual(s, 0)
    for c in ["demo", "fit", "decode", "eval", "info"] { XCTAssert(out.contains(c), c) }
    let (s2, _, err2) = try run(["fit", "x.png", "-o", "m.safetensors", "--bogus"])
    XCTAssertNotEqual(s2, 0)
    XCTAssert(err2.contains("--bogus"), err2)
  }

  /// A HYPERINR_* variable the tensor engine cannot use stops every command with one line naming it.
  func testUnusableEnvironmentVariablesAreRejected() throws {
    let cases = [("HYPERINR_THREADS", "two", "positive integer"), ("HYPERINR_THREADS", "0", "positive integer"),
                 ("HYPERINR_POOL_MB", "-5", "integer >= 0"), ("HYPERINR_ISA", "avx3", "avx512, avx2, baseline")]
    for (name, value, expected) in cases {
      let (s, out, err) = try CLIProcess.run(["info"], in: dir, environment: [name: value])
      XCTAssertEqual(s, 1, "\(name)=\(value)")
      XCTAssertEqual(out, "")
      let lines = err.split(separator: "\n")
      XCTAssertEqual(lines.count, 1, err)
      XCTAssert(err.hasPrefix("hyperinr: error: \(name)='\(value)'") && err.contains(expected), err)
    }
    for (name, value) in [("HYPERINR_ISA", "avx2"), ("HYPERINR_ISA", "baseline"), ("HYPERINR_POOL_MB", "0"), ("HYPERINR_THREADS", "1")] {
      let (s, out, _) = try CLIProcess.run(["info"], in: dir, environment: [name: value])
      XCTAssertEqual(s, 0, "\(name)=\(value)")
      XCTAssert(out.contains("compute backend"), out)
    }
    let (_, out, _) = try CLIProcess.run(["info"], in: dir, environment: ["HYPERINR_ISA": "baseline"])
    XCTAssert(out.contains("kernels baseline"), out)
  }

  /// `demo --steps N` is reproducible: the same seed gives the same model file; another seed does not.
  func testDemoWithFixedStepsIsDeterministic() throws {
    var models: [Data] = []
    for (name, seed) in [("a", "0"), ("b", "0"), ("c", "1")] {
      let (s, out, err) = try run(["demo", "--steps", "25", "--seed", seed, "--output-dir", name])
      XCTAssertEqual(s, 0, err)
      XCTAssert(out.contains("demo: 25 steps"), out)
      models.append(try Data(contentsOf: dir.appendingPathComponent("\(name)/model.safetensors")))
    }
    XCTAssertEqual(models[0], models[1])
    XCTAssertNotEqual(models[0], models[2])
    let (s, _, err) = try run(["demo", "--steps", "0"])
    XCTAssertNotEqual(s, 0)
    XCTAssert(err.contains("--steps"), err)
  }

  func testMissingCorruptAndWrongFilesGiveOneClearLine() throws {
    let (s, _, err) = try run(["fit", "missing.png", "-o", "m.safetensors"])
    XCTAssertEqual(s, 1)
    XCTAssertEqual(err.split(separator: "\n").count, 1, err)
    XCTAssert(err.contains("missing.png") && err.contains("does not exist"), err)

    try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: dir.appendingPathComponent("bad.png"))
    let (s2, _, err2) = try run(["fit", "bad.png", "-o", "m.safetensors"])
    XCTAssertEqual(s2, 1)
    XCTAssert(err2.contains("bad.png") && err2.contains("corrupt"), err2)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.safetensors").path))

    try Data("not a model".utf8).write(to: dir.appendingPathComponent("notes.safetensors"))
    let (s3, _, err3) = try run(["decode", "notes.safetensors", "-o", "x.png"])
    XCTAssertEqual(s3, 1)
    XCTAssert(err3.contains("notes.safetensors"), err3)
    let (s4, _, err4) = try run(["fit", try image("a.png"), "-o", "no-such-dir/m.safetensors"])
    XCTAssertEqual(s4, 1)
    XCTAssert(err4.contains("does not exist"), err4)
  }

  func testRateDistortionStudyWritesReportAndResumes() throws {
    let img = try image("g.png", size: 48)
    let config = """
      images: [\(img)]
      downsample: 2
      steps: 5
      batch: 0
      seed: 1
      doh: {layers: 2, widths: [4], fractions: [1.0, 0.5], bits: 8, lr: 0.01}
      mlp: {layers: 2, lr: 0.001}
      jpeg: true
      ablation: {width: 4, fraction: 1.0, bits: [4, 8]}
      """
    try config.write(to: dir.appendingPathComponent("rd.yaml"), atomically: true, encoding: .utf8)
    let (s, out, err) = try run(["rd", "--config", "rd.yaml", "--report", "rd.md"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(out.contains("(7 points)"), out)  // f1.00: D'OH at 4 and 8 bits, SIREN, JPEG; f0.50: D'OH, SIREN, JPEG
    let csv = try String(contentsOf: dir.appendingPathComponent("rd.csv"), encoding: .utf8)
    XCTAssertEqual(csv.split(separator: "\n").count, 8)
    XCTAssert(csv.contains("rd,g.png,24x24,doh,w4 f1.00,4,"), csv)
    let page = try String(contentsOf: dir.appendingPathComponent("rd.md"), encoding: .utf8)
    XCTAssert(page.contains("## Quantization ablation") && page.contains("rd-rd.svg"), page)
    XCTAssert(try String(contentsOf: dir.appendingPathComponent("rd-rd.svg"), encoding: .utf8).hasPrefix("<svg"))

    // A second run finds every point in the CSV and fits nothing.
    let (s2, out2, err2) = try run(["rd", "--config", "rd.yaml", "--report", "rd.md"])
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(out2.contains("(7 points)"), out2)
    XCTAssertFalse(err2.contains("fits]"), err2)
    XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("rd.csv"), encoding: .utf8), csv)

    // A configuration without a required key names the file and the key.
    try config.replacingOccurrences(of: ", lr: 0.01", with: "").write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
    let (s3, _, err3) = try run(["rd", "--config", "bad.yaml", "--report", "rd.md"])
    XCTAssertEqual(s3, 1)
    XCTAssertEqual(err3.split(separator: "\n").count, 1, err3)
    XCTAssert(err3.contains("bad.yaml") && err3.contains("missing key 'doh.lr'"), err3)
  }

  /// Ctrl-C during `compress` still writes the file and keeps the checkpoint; `--resume` finishes the run
  /// and removes it; the file decodes.
  func testInterruptedCompressWritesTheFileAndResumes() throws {
    let src = try image("c.png", size: 48)
    let shape = ["--layers", "2", "--width", "8", "--batch", "0"]
    let p = CLIProcess.make(["compress", src, "-o", "c.hinr", "--steps", "1000000"] + shape, in: dir)
    let errPipe = Pipe(), log = Mutex("")
    p.standardError = errPipe
    p.standardOutput = FileHandle.nullDevice
    errPipe.fileHandleForReading.readabilityHandler = { h in
      let text = String(decoding: h.availableData, as: UTF8.self)
      log.withLock { $0 += text }
    }
    try p.run()
    while p.isRunning && !log.withLock({ $0.contains("fitting") }) { usleep(1000) }
    usleep(300_000)  // past the Ctrl-C handler's installation, which follows the "fitting" line
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    errPipe.fileHandleForReading.readabilityHandler = nil
    let err = log.withLock { $0 }
    XCTAssertEqual(p.terminationReason, .exit, err)
    XCTAssertEqual(p.terminationStatus, 130, err)
    let ckpt = dir.appendingPathComponent("c.hinr.ckpt").path
    XCTAssert(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.hinr").path), err)
    XCTAssert(FileManager.default.fileExists(atPath: ckpt), err)
    let stopped = try XCTUnwrap(step(after: "stopped at step ", in: err), err)

    let (s2, out2, err2) = try run(["compress", src, "-o", "c.hinr", "--steps", "\(stopped + 20)", "--resume", "c.hinr.ckpt"] + shape)
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(err2.contains("done: \(stopped + 20) steps") && !err2.contains("model written"), err2)
    XCTAssert(out2.contains("wrote c.hinr"), out2)
    XCTAssertFalse(FileManager.default.fileExists(atPath: ckpt))
    let (s3, _, err3) = try run(["decompress", "c.hinr", "-o", "c-decoded.png"])
    XCTAssertEqual(s3, 0, err3)
  }

  /// The number that follows `prefix` in a command's output ("stopped at step 412" -> 412).
  private func step(after prefix: String, in text: String) -> Int? {
    text.components(separatedBy: prefix).dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
  }

  /// Runs `command` (`steps` steps) to the end into `a`, runs it again into `b` and kills that run with
  /// SIGKILL as soon as its checkpoint `checkpoint(b)` exists, resumes it with `--resume checkpoint(b)`,
  /// and checks that the resume started before the last step and that `b` ends byte-identical to `a`.
  private func checkKilledResumes(_ command: [String], steps: Int, _ a: String, _ b: String, checkpoint: (String) -> String,
                                  line: UInt = #line) throws {
    let (s, _, err) = try run(command + ["-o", a])
    XCTAssertEqual(s, 0, err, line: line)
    let p = CLIProcess.make(command + ["-o", b], in: dir)
    p.standardError = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let path = dir.appendingPathComponent(checkpoint(b)).path
    while p.isRunning && !FileManager.default.fileExists(atPath: path) { usleep(500) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the run finished before it could be killed", line: line)
    let (s2, _, err2) = try run(command + ["-o", b, "--resume", checkpoint(b)])
    XCTAssertEqual(s2, 0, err2, line: line)
    let resumedAt = try XCTUnwrap(step(after: "resuming \(checkpoint(b)) at step ", in: err2), err2, line: line)
    XCTAssertLessThan(resumedAt, steps, "killed after its last step: nothing was resumed", line: line)
    let bytes = { (f: String) in try Data(contentsOf: self.dir.appendingPathComponent(f)) }
    XCTAssertEqual(try bytes(b), try bytes(a), line: line)
  }

  /// `fit` killed with SIGKILL after a periodic checkpoint (the model file itself) and resumed from it writes
  /// the same model file, byte for byte, as an uninterrupted run.
  func testKilledFitResumesToTheSameModel() throws {
    let src = try image("k.png", size: 32)
    let fit = ["fit", src, "--steps", "4000", "--layers", "2", "--width", "32", "--checkpoint-every", "200", "--seed", "3"]
    try checkKilledResumes(fit, steps: 4000, "a.safetensors", "b.safetensors") { $0 }
  }

  /// `compress` killed with SIGKILL after its periodic checkpoint (OUT.ckpt, every 500 steps) and resumed
  /// from it writes the same `.hinr`, byte for byte, as an uninterrupted run.
  func testKilledCompressResumesToTheSameFile() throws {
    let src = try image("k.png", size: 32)
    let compress = ["compress", src, "--steps", "3000", "--layers", "2", "--width", "8", "--batch", "0", "--seed", "3"]
    try checkKilledResumes(compress, steps: 3000, "a.hinr", "b.hinr") { $0 + ".ckpt" }
  }

  /// A NeRF fit to a view folder killed with SIGKILL after a periodic checkpoint and resumed writes the same
  /// scene model, byte for byte; `render` draws one pose (with depth and opacity maps) and a turntable.
  func testKilledSceneFitResumesAndRenders() throws {
    try Data("v -0.6 -0.5 -0.4\nv 0.7 -0.4 -0.3\nv 0 0.8 -0.2\nv 0.1 0 0.9\nf 1 3 2\nf 1 2 4\nf 2 3 4\nf 3 1 4\n".utf8)
      .write(to: dir.appendingPathComponent("tet.obj"))
    let (s, _, err) = try run(["render-views", "tet.obj", "-o", "views", "--views", "6", "--size", "12", "--seed", "4"])
    XCTAssertEqual(s, 0, err)
    let fit = ["fit", "views", "--steps", "1500", "--batch", "64", "--samples", "8", "--layers", "1", "--width", "16",
               "--checkpoint-every", "150", "--holdout", "1", "--seed", "2"]
    try checkKilledResumes(fit, steps: 1500, "a.safetensors", "b.safetensors") { $0 }
    let (s2, _, err2) = try run(["render", "a.safetensors", "--pose", "-30,20", "-o", "v.png", "--depth", "d.png", "--opacity", "o.png", "--size", "20"])
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(err2.contains("1 view of 20x20"), err2)
    let (s3, _, err3) = try run(["render", "a.safetensors", "--turntable", "6", "--columns", "3", "-o", "t.png"])
    XCTAssertEqual(s3, 0, err3)
    for (file, width, height) in [("v.png", 20, 20), ("d.png", 20, 20), ("o.png", 20, 20), ("t.png", 36, 24)] {
      let png = try Data(contentsOf: dir.appendingPathComponent(file))
      let be = { (o: Int) in png[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
      XCTAssertEqual([be(16), be(20)], [width, height], file)
    }
  }

  /// make-views --config: a YAML file writes the same data set, byte for byte, as the same options given on
  /// the command line; options and --set override the file.
  func testMakeViewsConfigEqualsOptions() throws {
    try "category: lamps\ncount: 3\nviews: 2\nsize: 8\nseed: 5\nval: 0.34\ntest: 0.34\nradius: 5\nfov: 0.5\nsamples: 1\n"
      .write(to: dir.appendingPathComponent("v.yaml"), atomically: true, encoding: .utf8)
    let (s1, _, e1) = try run(["make-views", "--config", "v.yaml", "-o", "a"])
    XCTAssertEqual(s1, 0, e1)
    let (s2, _, e2) = try run(["make-views", "--category", "lamps", "--count", "3", "--views", "2", "--size", "8", "--seed", "5",
                               "--val", "0.34", "--test", "0.34", "--radius", "5", "--fov", "0.5", "--samples", "1", "-o", "b"])
    XCTAssertEqual(s2, 0, e2)
    let (s0, _, e0) = try run(["make-views", "--category", "lamps", "--count", "3", "--views", "2", "--size", "8", "--seed", "5", "-o", "d"])
    XCTAssertEqual(s0, 0, e0)
    func files(_ root: String) throws -> [String: Data] {
      let base = dir.appendingPathComponent(root)
      var out: [String: Data] = [:]
      for case let path as String in FileManager.default.enumerator(atPath: base.path)! where path.contains(".") {
        out[path] = try Data(contentsOf: base.appendingPathComponent(path))
      }
      return out
    }
    let a = try files("a"), d = try files("d")
    XCTAssertEqual(a.keys.filter { $0.hasSuffix(".png") }.count, 6)
    XCTAssertEqual(a, try files("b"))
    // The file's radius, fov, samples and shares took effect: every view and the split differ from the defaults'.
    for (path, data) in a where path.hasSuffix(".png") || path.hasSuffix(".json") { XCTAssertNotEqual(data, d[path], path) }
    let (s3, _, e3) = try run(["make-views", "--config", "v.yaml", "--count", "2", "--set", "views=3", "-o", "c"])
    XCTAssertEqual(s3, 0, e3)
    let c = try files("c")
    XCTAssertEqual(c.keys.filter { $0.hasSuffix(".png") }.count, 6)
    XCTAssertEqual(c.keys.filter { $0.hasSuffix("transforms.json") }.count, 2)
  }

  func testFitDecodeEvalRoundTrip() throws {
    let src = try image("g.png")
    let (s, _, err) = try run(["fit", src, "-o", "m.safetensors", "--steps", "150", "--layers", "2", "--width", "32"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(err.contains("PSNR") && err.contains("ETA"), err)
    let (s2, _, err2) = try run(["decode", "m.safetensors", "-o", "big.png", "--size", "48x30"])
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(err2.contains("48x30"), err2)
    let (s3, out3, _) = try run(["decode", "m.safetensors", "-o", "same.png"])
    XCTAssertEqual(s3, 0)
    _ = out3
    let (s4, out4, err4) = try run(["eval", "same.png", src])
    XCTAssertEqual(s4, 0, err4)
    XCTAssert(out4.contains("PSNR") && out4.contains("SSIM"), out4)
    let tiny = try image("tiny.png", size: 8)
    let (s6, out6, err6) = try run(["eval", tiny, tiny])
    XCTAssertEqual(s6, 0, err6)
    XCTAssert(out6.contains("SSIM n/a"), out6)
    let (s5, _, err5) = try run(["fit", src, "-o", "nan.safetensors", "--lr", "1e30", "--steps", "50"])
    XCTAssertEqual(s5, 1)
    XCTAssert(err5.contains("diverged"), err5)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("nan.safetensors").path))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    XCTAssertEqual(leftovers, [])
  }
}

/// A minimal PNG encoder for test inputs (gray, 8-bit, uncompressed deflate blocks), independent of libpng.
enum PNGWriter {
  static func crc32(_ data: Data) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in data {
      c ^= UInt32(b)
      for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }
    return ~c
  }

  static func adler32(_ data: Data) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for x in data { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
    return b << 16 | a
  }

  static func be32(_ v: UInt32) -> Data { Data([UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)]) }

  static func chunk(_ type: String, _ body: Data) -> Data {
    var d = be32(UInt32(body.count))
    let tb = Data(type.utf8) + body
    d += tb
    d += be32(crc32(tb))
    return d
  }

  static func gray(width: Int, height: Int, raw: Data) -> Data {
    var z = Data([0x78, 0x01])
    var off = 0
    repeat {
      let n = min(65535, raw.count - off)
      let last: UInt8 = off + n >= raw.count ? 1 : 0
      z += Data([last, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8((~n >> 8) & 255)])
      z += raw[off..<(off + n)]
      off += n
    } while off < raw.count
    z += be32(adler32(raw))
    var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + Data([8, 0, 0, 0, 0]))
    png += chunk("IDAT", z)
    png += chunk("IEND", Data())
    return png
  }
}
