import Foundation
import XCTest

/// `hyperinr train / reconstruct / evaluate` for audio and for probabilistic, partially observed image
/// models on tiny generated data; bad audio data and bad method settings give one clear line.
final class GeneralizableCLITests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-gen-\(UUID().uuidString)")
    for sub in ["audio", "img/train", "img/test"] {
      try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    // Clips "d_s_i.wav" like FSDD's: index 0-1 test, 2-5 train; lengths 40-70 samples (cut or padded to 64).
    for i in 0..<6 {
      try WAVWriter.mono16(rate: 8000, samples: (0..<(40 + 6 * i)).map { 0.5 * sin(Double($0) * (0.2 + 0.05 * Double(i))) })
        .write(to: dir.appendingPathComponent("audio/3_tester_\(i).wav"))
    }
    for i in 0..<6 { try gradient(i).write(to: dir.appendingPathComponent("img/\(i < 4 ? "train" : "test")/g\(i).png")) }
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  private func gradient(_ i: Int) -> Data {
    var raw = Data()
    for y in 0..<16 { raw.append(0); for x in 0..<16 { raw.append(UInt8((x * (3 + i) + y * (5 + 2 * i)) * 4 % 256)) } }
    return PNGWriter.gray(width: 16, height: 16, raw: raw)
  }

  private func run(_ args: [String]) throws -> (Int32, String, String) { try CLIProcess.run(args, in: dir) }

  private func write(_ text: String, _ name: String) throws {
    try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  private func audioConfig(method: String, section: String) -> String {
    """
    method: \(method)
    task: audio
    data: {train: audio, test: audio, size: 64, sampleRate: 8000, trainTransform: resize, testTransform: resize, testCount: 0,
           trainMatch: '_[2-9][0-9]*\\.wav$', testMatch: '_[0-1]\\.wav$'}
    inr: {hiddenLayers: 2, width: 8, frequencies: 4, sigma: 8}
    \(section)
    train: {steps: 30, batch: 2, learningRate: 0.001, schedule: constant, warmup: 0, pixels: 0, seed: 1,
            logEvery: 1, evalEvery: 0, checkpointEvery: 10}
    """
  }

  private static let audioSections = [
    "trans-inr": "transINR: {patch: 8, dim: 16, depth: 1, heads: 2, groups: 2}",
    "ipc": "ipc: {patch: 8, dim: 16, depth: 1, heads: 2, rank: 4}",
    "ipc-meta": "ipcMeta: {rank: 4, innerSteps: 2, innerLearningRate: 0.01}",
    "learned-init": "learnedInit: {innerSteps: 2, innerLearningRate: 0.01, reptile: false}",
  ]

  /// Every method trains on audio clips; the model reconstructs WAV at its own and at another rate.
  func testAudioTrainsAndReconstructsAtAnyRate() throws {
    for (method, section) in Self.audioSections.sorted(by: { $0.key < $1.key }) {
      try write(audioConfig(method: method, section: section), "\(method).yaml")
      let (s, out, err) = try run(["train", "--config", "\(method).yaml", "--output", method])
      XCTAssertEqual(s, 0, err)
      XCTAssert(out.contains("done: 30 steps; test 2 clips of 64 samples: PSNR"), out)
      XCTAssert(err.contains("4 training and 2 test clips of 64 samples"), err)
      XCTAssert(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(method)/samples.svg").path), method)
      let (s2, out2, err2) = try run(["reconstruct", "--model", "\(method)/checkpoint.safetensors", "audio/3_tester_0.wav", "-o", "\(method).wav"])
      XCTAssertEqual(s2, 0, err2)
      XCTAssert(out2.contains("64 frames at 8000 Hz") && out2.contains("PSNR"), out2)
      let (s3, out3, err3) = try run(["reconstruct", "--model", "\(method)/checkpoint.safetensors", "audio/3_tester_0.wav", "-o", "\(method)-16k.wav",
                                      "--rate", "16000"])
      XCTAssertEqual(s3, 0, err3)
      XCTAssert(out3.contains("128 frames at 16000 Hz"), out3)
    }
    // The constant baseline: silence everywhere, PSNR relative to the range 2 from the clips' own energy.
    let (s, out, err) = try run(["evaluate", "--config", "ipc.yaml", "--constant"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(out.hasPrefix("2 clips of 64 samples: PSNR"), out)
    let (s2, _, err2) = try run(["evaluate", "--config", "ipc.yaml", "--constant", "--standard-steps", "3"])
    XCTAssertEqual(s2, 64, err2)
    // Peak-normalised clips (the clips' peak is 0.5): silence now misses 4x the energy, 6 dB less.
    let (s3, out3, err3) = try run(["evaluate", "--config", "ipc.yaml", "--constant", "--set", "data.normalize=peak"])
    XCTAssertEqual(s3, 0, err3)
    func psnr(_ line: String) -> Double? {
      line.split(separator: " ").firstIndex(of: "PSNR").flatMap { i in Double(line.split(separator: " ")[i + 1]) }
    }
    let drop = (psnr(out) ?? .nan) - (psnr(out3) ?? .nan)
    XCTAssert(drop > 5.8 && drop < 6.1, "\(out) vs \(out3)")
  }

  /// A probabilistic IPC on a 30 % context trains, reports NLL and calibration, and writes its mean,
  /// uncertainty map and context; the validation split replaces the test set in the run's evaluations.
  func testProbabilisticPartialObservationModel() throws {
    try write("""
      method: ipc
      probabilistic: true
      data: {train: img/train, test: img/test, size: 16, trainTransform: resize, testTransform: resize, testCount: 0,
             contextFraction: 0.3, validation: 1}
      inr: {hiddenLayers: 2, width: 8, frequencies: 4, sigma: 8}
      ipc: {patch: 4, dim: 16, depth: 1, heads: 2, rank: 4}
      train: {steps: 20, batch: 2, learningRate: 0.001, schedule: constant, warmup: 0, pixels: 64, seed: 1,
              logEvery: 1, evalEvery: 0, checkpointEvery: 10}
      """, "ponp.yaml")
    let (s, out, err) = try run(["train", "--config", "ponp.yaml", "--output", "p"])
    XCTAssertEqual(s, 0, err)
    XCTAssert(out.contains("validation 1 images at 16x16") && out.contains("NLL") && out.contains("within 2 sigma"), out)
    XCTAssert(err.contains("3 training and 1 validation images at 16x16"), err)
    let (s2, out2, err2) = try run(["evaluate", "--model", "p/checkpoint.safetensors"])
    XCTAssertEqual(s2, 0, err2)
    XCTAssert(out2.hasPrefix("2 images at 16x16: PSNR") && out2.contains("NLL"), out2)
    let (s3, out3, err3) = try run(["reconstruct", "--model", "p/checkpoint.safetensors", "img/test/g4.png", "-o", "m.png",
                                    "--uncertainty", "u.png", "--context", "c.png"])
    XCTAssertEqual(s3, 0, err3)
    XCTAssert(out3.contains("uncertainty u.png") && out3.contains("context c.png"), out3)
    for f in ["m.png", "u.png", "c.png", "p/samples.png", "p/report.md"] {
      XCTAssert(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), f)
    }
    // No output may replace the model, the input or another output.
    try expectOneLineError(["reconstruct", "--model", "p/checkpoint.safetensors", "img/test/g4.png", "-o", "m.png", "--uncertainty", "p/checkpoint.safetensors"],
                           in: dir, mentioning: ["checkpoint.safetensors", "write .png files"])
    try expectOneLineError(["reconstruct", "--model", "p/checkpoint.safetensors", "img/test/g4.png", "-o", "same.png", "--uncertainty", "same.png"],
                           in: dir, mentioning: ["same.png", "is also an output"])
    try expectOneLineError(["reconstruct", "--model", "p/checkpoint.safetensors", "img/test/g4.png", "-o", "img/test/g4.png"],
                           in: dir, mentioning: ["g4.png", "is also the input"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("same.png").path))
    // A deterministic model has no uncertainty to write.
    try write(try String(contentsOf: dir.appendingPathComponent("ponp.yaml"), encoding: .utf8).replacingOccurrences(of: "probabilistic: true", with: ""),
              "det.yaml")
    XCTAssertEqual(try run(["train", "--config", "det.yaml", "--output", "d"]).0, 0)
    let (s4, _, err4) = try run(["reconstruct", "--model", "d/checkpoint.safetensors", "img/test/g4.png", "-o", "m2.png", "--uncertainty", "u2.png"])
    XCTAssertEqual(s4, 1)
    XCTAssert(err4.contains("--uncertainty needs a probabilistic"), err4)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m2.png").path))
  }


  func testBadAudioAndMethodSettingsGiveOneClearLine() throws {
    let base = audioConfig(method: "ipc", section: Self.audioSections["ipc"] ?? "")
    try write(base, "a.yaml")
    // Settings the method cannot use.
    for (set, message) in [("ipc.modulatedLayer=7", "ipc.modulatedLayer: must be a layer index in 0...2"),
                           ("ipc.rank=0", "ipc.rank: must be in 1...8"),
                           ("data.contextFraction=1.5", "data.contextFraction: must be in (0, 1]"),
                           ("data.contextFraction=0", "data.contextFraction: must be in (0, 1]"),
                           ("train.nllBeta=0.5", "train.nllBeta: only for a probabilistic INR"),
                           ("data.normalize=rms", "data.normalize: expected none or peak, got rms"),
                           ("method=nerf-magic", "unknown method 'nerf-magic'"),
                           ("ipc.ranks=3", "unknown key 'ipc.ranks'")] {
      try expectOneLineError(["train", "--config", "a.yaml", "--output", "x", "--set", set], in: dir, mentioning: ["a.yaml", message])
    }
    try expectOneLineError(["train", "--config", "a.yaml", "--output", "x", "--set", "data.sampleRate=null"], in: dir, mentioning: ["data.sampleRate: required"])
    // A clip at another sample rate, a stereo clip, a folder without WAVs.
    try WAVWriter.mono16(rate: 16000, samples: [0.1, 0.2]).write(to: dir.appendingPathComponent("audio/3_tester_1.wav"))
    try expectOneLineError(["train", "--config", "a.yaml", "--output", "r"], in: dir, mentioning: ["3_tester_1.wav", "sample rate 16000 Hz, expected 8000 Hz"])
    try WAVWriter.pcm16(rate: 8000, channels: 2, samples: [0.1, 0.2, 0.3, 0.4]).write(to: dir.appendingPathComponent("audio/3_tester_1.wav"))
    try expectOneLineError(["train", "--config", "a.yaml", "--output", "s"], in: dir, mentioning: ["3_tester_1.wav", "2 channels, expected mono"])
    try expectOneLineError(["train", "--config", "a.yaml", "--output", "e", "--set", "data.train=img"], in: dir, mentioning: ["img", "contains no .wav files"])
    for run in ["x", "r", "s", "e"] { XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(run)/checkpoint.safetensors").path)) }
  }
}

/// 16-bit PCM WAV files for tests.
enum WAVWriter {
  static func mono16(rate: Int, samples: [Double]) -> Data { pcm16(rate: rate, channels: 1, samples: samples) }

  static func pcm16(rate: Int, channels: Int, samples: [Double]) -> Data {
    var d = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * samples.count); d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(rate); u32(rate * 2 * channels); u16(2 * channels); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(2 * samples.count)
    for s in samples { withUnsafeBytes(of: Int16(max(-1, min(1, s)) * 32767).littleEndian) { d.append(contentsOf: $0) } }
    return d
  }
}
