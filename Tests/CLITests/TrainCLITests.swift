import Foundation
import XCTest

/// `hyperinr train / reconstruct / evaluate` on a tiny generated image set: exact resumption after SIGKILL,
/// and one clear error line for bad data and bad configs.
final class TrainCLITests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("data/train"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("data/test"), withIntermediateDirectories: true)
    for i in 0..<6 { try gradient(i).write(to: dir.appendingPathComponent("data/train/img\(i).png")) }
    for i in 6..<9 { try gradient(i).write(to: dir.appendingPathComponent("data/test/img\(i).png")) }
    try config(steps: 300).write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  /// A 16 x 16 gray pattern, different for each i (encoded by the test's own PNG writer).
  private func gradient(_ i: Int) -> Data {
    var raw = Data()
    for y in 0..<16 { raw.append(0); for x in 0..<16 { raw.append(UInt8((x * (3 + i) + y * (5 + 2 * i)) * 4 % 256)) } }
    return PNGWriter.gray(width: 16, height: 16, raw: raw)
  }

  /// The settings section of each method in the tiny configs.
  private static let sections = [
    "trans-inr": "transINR: {patch: 4, dim: 16, depth: 1, heads: 2, groups: 4}",
    "ipc": "ipc: {patch: 4, dim: 16, depth: 1, heads: 2, rank: 4}",
    "ipc-meta": "ipcMeta: {rank: 4, innerSteps: 2, innerLearningRate: 0.01}",
  ]

  private func config(steps: Int, train: String = "data/train", method: String = "trans-inr", probabilistic: Bool = false) -> String {
    """
    method: \(method)
    data: {train: \(train), test: data/test, size: 16, trainTransform: resize, testTransform: resize, testCount: 0}
    inr: {hiddenLayers: \(method == "trans-inr" ? 1 : 2), width: 8, frequencies: 4, sigma: 8}
    \(Self.sections[method] ?? "")
    train: {steps: \(steps), batch: 2, learningRate: 0.001, schedule: cosine, warmup: 5, pixels: 64, seed: 3,
            logEvery: 1, evalEvery: 0, checkpointEvery: 25}
    """ + (probabilistic ? "\nprobabilistic: true\n" : "\n")
  }

  private func run(_ args: [String]) throws -> (Int32, String, String) { try CLIProcess.run(args, in: dir) }

  /// The log rows without the wall-clock column.
  private func losses(_ run: String) throws -> [String] {
    try String(contentsOf: dir.appendingPathComponent("\(run)/log.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",").dropLast().joined(separator: ",") }
  }

  /// Trains `config` to the end in run `a`, kills a second run `b` with SIGKILL once its first periodic
  /// checkpoint exists, resumes it, and checks that both logged the same losses; returns them.
  @discardableResult
  private func checkKilledRunResumes(_ config: String, steps: Int, a: String = "a", b: String = "b",
                                     file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
    let (s, out, err) = try run(["train", "--config", config, "--output", a])
    XCTAssertEqual(s, 0, err, file: file, line: line)
    XCTAssert(out.contains("done: \(steps) steps"), out, file: file, line: line)
    let reference = try losses(a)
    XCTAssertEqual(reference.count, steps, file: file, line: line)

    let p = CLIProcess.make(["train", "--config", config, "--output", b], in: dir)
    p.standardError = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let ckpt = dir.appendingPathComponent("\(b)/checkpoint.safetensors").path
    while p.isRunning && !FileManager.default.fileExists(atPath: ckpt) { usleep(1000) }
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    XCTAssertEqual(p.terminationReason, .uncaughtSignal, "the run finished before it could be killed", file: file, line: line)
    XCTAssertLessThan(try losses(b).count, steps, file: file, line: line)

    let (s2, _, err2) = try run(["train", "--config", config, "--output", b, "--resume"])
    XCTAssertEqual(s2, 0, err2, file: file, line: line)
    XCTAssert(err2.contains("resuming at step"), err2, file: file, line: line)
    XCTAssertEqual(try losses(b), reference, file: file, line: line)
    return reference
  }

  func testKilledRunResumesWithIdenticalLosses() throws {
    let reference = try checkKilledRunResumes("tiny.yaml", steps: 300)
    for f in ["curves.svg", "samples.png", "report.md", "eval.csv"] {
      XCTAssert(FileManager.default.fileExists(atPath: dir.appendingPathComponent("b/\(f)").path), f)
    }

    // Without --resume an existing run is not overwritten.
    let (s3, _, err3) = try run(["train", "--config", "tiny.yaml", "--output", "b"])
    XCTAssertEqual(s3, 1)
    XCTAssert(err3.contains("--resume"), err3)

    // The pictures and page of a finished run can be rewritten without training.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("a/curves.svg"))
    let (sr, _, errr) = try run(["train", "--config", "tiny.yaml", "--output", "a", "--report-only"])
    XCTAssertEqual(sr, 0, errr)
    XCTAssert(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/curves.svg").path))
    XCTAssertEqual(try losses("a"), reference)

    // The trained model reconstructs and evaluates.
    let (s4, out4, err4) = try run(["reconstruct", "--model", "a/checkpoint.safetensors", "data/test/img6.png", "-o", "r.png", "--tto-steps", "3"])
    XCTAssertEqual(s4, 0, err4)
    XCTAssert(out4.contains("PSNR") && out4.contains("encode"), out4)
    let (s5, out5, err5) = try run(["evaluate", "--model", "a/checkpoint.safetensors"])
    XCTAssertEqual(s5, 0, err5)
    XCTAssert(out5.hasPrefix("3 images at 16x16: PSNR"), out5)
    let (s6, out6, err6) = try run(["evaluate", "--config", "tiny.yaml", "--standard-steps", "5"])
    XCTAssertEqual(s6, 0, err6)
    XCTAssert(out6.hasPrefix("3 images at 16x16: PSNR"), out6)
  }

  func testLearnedInitTrainsWithMAMLAndReptile() throws {
    for reptile in [false, true] {
      let (s, out, err) = try run(["train", "--config", "tiny.yaml", "--output", "li\(reptile)", "--set", "method=learned-init",
                                   "--set", "transINR=null",
                                   "--set", "learnedInit={innerSteps: 2, innerLearningRate: 0.01, reptile: \(reptile), metaStepSize: 0.5}",
                                   "--set", "train.steps=6"])
      XCTAssertEqual(s, 0, err)
      XCTAssert(out.contains("done: 6 steps"), out)
      XCTAssert(err.contains(reptile ? "Reptile" : "second-order MAML"), err)
      let (s2, out2, err2) = try run(["evaluate", "--model", "li\(reptile)/checkpoint.safetensors"])
      XCTAssertEqual(s2, 0, err2)
      XCTAssert(out2.hasPrefix("3 images at 16x16: PSNR"), out2)
    }
  }

  /// IPC (transformer and meta-learned) and a probabilistic IPC run resume after SIGKILL with the losses of
  /// an uninterrupted run, and their models reconstruct and evaluate.
  func testIPCRunsResumeExactlyAfterSIGKILL() throws {
    for (method, probabilistic) in [("ipc", false), ("ipc-meta", false), ("ipc", true)] {
      let name = "\(method)\(probabilistic ? "-p" : "")"
      try config(steps: 60, method: method, probabilistic: probabilistic)
        .write(to: dir.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
      try checkKilledRunResumes("\(name).yaml", steps: 60, a: "\(name)-a", b: "\(name)-b")
      let (s, out, err) = try run(["evaluate", "--model", "\(name)-b/checkpoint.safetensors"])
      XCTAssertEqual(s, 0, err)
      XCTAssert(out.hasPrefix("3 images at 16x16: PSNR"), out)
      let (s2, out2, err2) = try run(["reconstruct", "--model", "\(name)-b/checkpoint.safetensors", "data/test/img6.png", "-o", "\(name).png"])
      XCTAssertEqual(s2, 0, err2)
      XCTAssert(out2.contains("PSNR"), out2)
    }
  }


  /// View synthesis (task views) on a tiny rendered chair set, with foreground-biased ray sampling in its
  /// first steps: a run killed with SIGKILL resumes with the losses of an uninterrupted one; the model
  /// evaluates on the test objects and renders a turntable from one input view and its camera.
  func testViewSynthesisRunResumesExactlyAfterSIGKILL() throws {
    let (s0, _, err0) = try run(["make-views", "--category", "chairs", "--count", "10", "--views", "4", "--size", "12", "-o", "nv", "--seed", "1"])
    XCTAssertEqual(s0, 0, err0)
    try """
      method: trans-inr
      task: views
      views: {views: 4, samples: 8, foregroundSteps: 30}
      data: {train: nv/chairs, test: nv/chairs, size: 12, trainTransform: resize, testTransform: resize, testCount: 0}
      inr: {hiddenLayers: 1, width: 16, frequencies: 4, sigma: 16}
      transINR: {patch: 6, dim: 16, depth: 1, heads: 2, groups: 4}
      train: {steps: 60, batch: 2, learningRate: 0.001, schedule: cosine, warmup: 5, pixels: 32, seed: 3,
              logEvery: 1, evalEvery: 0, checkpointEvery: 25}
      """.write(to: dir.appendingPathComponent("nv.yaml"), atomically: true, encoding: .utf8)
    try checkKilledRunResumes("nv.yaml", steps: 60, a: "nv-a", b: "nv-b")
    let (s, out, err) = try run(["evaluate", "--model", "nv-b/checkpoint.safetensors"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(out.contains("objects (4 views of 12x12, 1 input; scored on the others): PSNR"), out)
    let object = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("nv/chairs").path).sorted().first)
    let (s2, out2, err2) = try run(["reconstruct", "--model", "nv-b/checkpoint.safetensors", "nv/chairs/\(object)/r_000.png",
                                    "--camera", "nv/chairs/\(object)/transforms.json", "--turntable", "3", "-o", "turn.png", "--tto-steps", "2"])
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(out2.contains("3 views of 12x12") && out2.contains("2 TTO steps"), out2)
  }

  /// Checkpoints written before the framework (no format key; Fixtures/README.md) load and give the
  /// figures the build that wrote them printed; a file of an unknown format version is refused by name.
  func testVersion1CheckpointsStillLoad() throws {
    for (name, expected) in [("v1-transinr", "PSNR 9.46 dB (min 9.35, max 9.65), SSIM -0.0081"),
                             ("v1-learnedinit", "PSNR 9.50 dB (min 9.47, max 9.53), SSIM 0.0118")] {
      let url = try XCTUnwrap(Bundle.module.url(forResource: "\(name).safetensors", withExtension: nil, subdirectory: "Fixtures"))
      let (s, out, err) = try run(["evaluate", "--model", url.path, "--data", "data/test"])
      XCTAssertEqual(s, 0, err)
      XCTAssert(out.hasPrefix("3 images at 16x16: \(expected)"), out)
    }
    let url = try XCTUnwrap(Bundle.module.url(forResource: "v1-transinr.safetensors", withExtension: nil, subdirectory: "Fixtures"))
    let (s, out, err) = try run(["reconstruct", "--model", url.path, "data/test/img6.png", "-o", "r6.png"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(out.contains("PSNR 9.38 dB, SSIM -0.0118"), out)
    // The same file with a format this build does not know.
    var data = try Data(contentsOf: url)
    let header = "\"hyperinr.train\""
    guard let r = data.range(of: Data(header.utf8)) else { return XCTFail("no training configuration in the fixture") }
    data.replaceSubrange(r, with: Data("\"hyperinr.format\":\"generalizable-v9\",\"hyperinr.train\"".utf8))
    // Keep the header length field right: it counts the JSON bytes after the first 8.
    let grown = UInt64(data.count - (try Data(contentsOf: url)).count)
    var length = data.prefix(8).withUnsafeBytes { $0.load(as: UInt64.self) }
    length += grown
    withUnsafeBytes(of: length) { data.replaceSubrange(0..<8, with: $0) }
    try data.write(to: dir.appendingPathComponent("v9.safetensors"))
    try expectOneLineError(["evaluate", "--model", "v9.safetensors"], in: dir, mentioning: ["v9.safetensors", "format 'generalizable-v9'", "generalizable-v2"])
  }

  /// View-synthesis configs and data that cannot work: one line each, naming the key or the object.
  func testBadViewSynthesisConfigsGiveOneClearLine() throws {
    let (s0, _, err0) = try run(["make-views", "--category", "lamps", "--count", "6", "--views", "3", "--size", "12", "-o", "nv", "--seed", "2"])
    XCTAssertEqual(s0, 0, err0)
    let base = """
      method: trans-inr
      task: views
      data: {train: nv/lamps, test: nv/lamps, size: 12, trainTransform: resize, testTransform: resize, testCount: 0}
      inr: {hiddenLayers: 1, width: 8, frequencies: 4, sigma: 16}
      transINR: {patch: 6, dim: 16, depth: 1, heads: 2, groups: 4}
      train: {steps: 3, batch: 2, learningRate: 0.001, schedule: cosine, warmup: 0, pixels: 16, seed: 3, logEvery: 1, evalEvery: 0, checkpointEvery: 0}
      """
    try base.write(to: dir.appendingPathComponent("nv.yaml"), atomically: true, encoding: .utf8)
    let views = ["--set", "views={views: 3, samples: 4}"]
    XCTAssertEqual(try run(["train", "--config", "nv.yaml", "--output", "ok"] + views).0, 0)
    for (set, parts) in [([String](), ["views: required for task views"]),
                         (["--set", "views={views: 3, support: 3, samples: 4}"], ["views.support must be in 1...2"]),
                         (["--set", "views={views: 3, samples: 1}"], ["views.samples must be in 2...1024"]),
                         (["--set", "views={views: 3, samples: 4, foregroundShare: 2}"], ["views.foregroundShare: must be in [0, 1]"]),
                         (views + ["--set", "data.contextFraction=0.5"], ["data.contextFraction: not for task views"]),
                         (views + ["--set", "probabilistic=true"], ["probabilistic: not for task views"]),
                         (views + ["--set", "transINR.patch=5"], ["transINR.patch: must divide the signal size 12x12"]),
                         (["--set", "views={views: 4, samples: 4}"], ["has 3 views, fewer than the 4 the task uses"]),
                         (views + ["--set", "data.size=24"], ["has views of 12x12, not the task's 24x24"]),
                         (views + ["--set", "data.train=nv/chairs"], ["chair_splits.json"]),
                         (views + ["--set", "task=image"], ["views: only for task views"])] {
      try expectOneLineError(["train", "--config", "nv.yaml", "--output", "bad"] + set, in: dir, mentioning: parts)
    }
    // A view-synthesis model refuses image options, and needs the input view's camera and a pose.
    let object = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("nv/lamps").path).sorted().first)
    let view = "nv/lamps/\(object)/r_000.png", camera = "nv/lamps/\(object)/transforms.json"
    try expectOneLineError(["reconstruct", "--model", "ok/checkpoint.safetensors", view, "-o", "r.png", "--pose", "0,0"], in: dir, mentioning: ["needs the input view's camera"])
    try expectOneLineError(["reconstruct", "--model", "ok/checkpoint.safetensors", view, "--camera", camera, "-o", "r.png"], in: dir, mentioning: ["give exactly one of --pose and --turntable"])
    try expectOneLineError(["reconstruct", "--model", "ok/checkpoint.safetensors", view, "--camera", camera, "-o", "r.png", "--pose", "0,0", "--size", "8x8"],
                           in: dir, mentioning: ["--size is not for view-synthesis models"])
    try expectOneLineError(["reconstruct", "--model", "ok/checkpoint.safetensors", "data/test/img6.png", "--camera", camera, "-o", "r.png", "--pose", "0,0"],
                           in: dir, mentioning: ["img6.png", "is 16x16; the model takes views of 12x12"])
    try expectOneLineError(["reconstruct", "--model", "ok/checkpoint.safetensors", view, "--camera", "nv/lamp_splits.json", "-o", "r.png", "--pose", "0,0"],
                           in: dir, mentioning: ["lamp_splits.json", "lacks camera_angle_x"])
  }

  func testBadDataAndConfigsGiveOneClearLine() throws {
    // Unknown key, with its path.
    try (config(steps: 5) + "\nextra: 1\n").write(to: dir.appendingPathComponent("unknown.yaml"), atomically: true, encoding: .utf8)
    try expectOneLineError(["train", "--config", "unknown.yaml", "--output", "u"], in: dir, mentioning: ["unknown.yaml", "unknown key 'extra'"])
    try expectOneLineError(["train", "--config", "tiny.yaml", "--output", "u", "--set", "train.stepz=4"], in: dir, mentioning: ["unknown key 'train.stepz'"])
    // Empty folder.
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
    try config(steps: 5, train: "empty").write(to: dir.appendingPathComponent("empty.yaml"), atomically: true, encoding: .utf8)
    try expectOneLineError(["train", "--config", "empty.yaml", "--output", "e"], in: dir, mentioning: ["empty", "contains no .png or .jpg images"])
    // A list naming a missing image.
    try "train/img0.png\nmissing.png\n".write(to: dir.appendingPathComponent("data/list.txt"), atomically: true, encoding: .utf8)
    try config(steps: 5, train: "data/list.txt").write(to: dir.appendingPathComponent("list.yaml"), atomically: true, encoding: .utf8)
    try expectOneLineError(["train", "--config", "list.yaml", "--output", "l"], in: dir, mentioning: ["missing.png", "does not exist"])
    // A file that is not an image, and an image that is cut short.
    try Data("not an image".utf8).write(to: dir.appendingPathComponent("data/train/zz.png"))
    try expectOneLineError(["train", "--config", "tiny.yaml", "--output", "c"], in: dir, mentioning: ["zz.png", "not a PNG or JPEG"])
    try gradient(1).prefix(60).write(to: dir.appendingPathComponent("data/train/zz.png"))
    try expectOneLineError(["train", "--config", "tiny.yaml", "--output", "t"], in: dir, mentioning: ["zz.png"])
    // Unreadable file.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("data/train/zz.png"))
    try gradient(2).write(to: dir.appendingPathComponent("data/train/zz.png"))
    chmod(dir.appendingPathComponent("data/train/zz.png").path, 0)
    if getuid() != 0 {  // root reads any file
      try expectOneLineError(["train", "--config", "tiny.yaml", "--output", "r"], in: dir, mentioning: ["zz.png", "cannot be read"])
    }
  }
}
