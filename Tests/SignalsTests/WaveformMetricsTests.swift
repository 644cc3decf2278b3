import Foundation
import HyperNN
import HyperTensor
import Signals
import XCTest

final class WaveformTests: XCTestCase {
  func testReadsAllPCMDepthsAndFloat() throws {
    let expected = try Fixture.json("wav_expected.json") as! [String: [Double]]
    XCTAssertEqual(expected.count, 5)
    for (name, values) in expected {
      let w = try Waveform.load(Fixture.url("wav/\(name)"))
      XCTAssertEqual(w.samples.shape, [9, 2], name)
      XCTAssertEqual(w.sampleRate, 8000, name)
      for (a, b) in zip(w.samples.scalars, values) { XCTAssertEqual(Double(a), b, accuracy: 1e-7, name) }
    }
  }

  func testWriteReadRoundTrip() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let t = Tensor(shape: [4, 1], scalars: [0, 0.5, -0.25, 1])
    let url = dir.appendingPathComponent("x.wav")
    try Waveform(samples: t, sampleRate: 16000).writeWAV(url)
    let back = try Waveform.load(url)
    XCTAssertEqual(back.sampleRate, 16000)
    for (a, b) in zip(back.samples.scalars, t.scalars) { XCTAssertEqual(a, b, accuracy: 1 / 32767) }
  }

  /// AudioFolder cuts or zero-pads to its length, then optionally scales the kept part to peak 1.
  func testAudioFolderCutsPadsAndNormalizesPeak() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let loud = dir.appendingPathComponent("a.wav"), silent = dir.appendingPathComponent("b.wav")
    try Waveform(samples: Tensor(shape: [4, 1], scalars: [0.1, -0.25, 0.05, 0.5]), sampleRate: 8000).writeWAV(loud)
    try Waveform(samples: Tensor(shape: [2, 1], scalars: [0, 0]), sampleRate: 8000).writeWAV(silent)
    let plain = try AudioFolder.open(dir.path, length: 3, sampleRate: 8000)
    let peak = try AudioFolder.open(dir.path, length: 3, sampleRate: 8000, normalizePeak: true)
    for (a, b) in zip(try plain.item(0).scalars, [0.1, -0.25, 0.05] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    for (a, b) in zip(try peak.item(0).scalars, [0.4, -1, 0.2] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-3) }  // peak of the kept 3
    XCTAssertEqual(try peak.item(1).scalars, [0, 0, 0])
  }

  /// NaN or infinite samples, absurd rates and channel counts: refused by name, nothing written.
  func testNonFiniteSamplesAndAbsurdHeadersAreRefused() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out.wav")
    for bad in [Float.nan, .infinity] {
      XCTAssertThrowsError(try Waveform(samples: Tensor(shape: [3, 1], scalars: [0, bad, 0.5]), sampleRate: 8000).writeWAV(out)) {
        XCTAssert("\($0)".contains("out.wav: not written: 1 of 3 values are NaN or infinite"), "\($0)")
      }
    }
    XCTAssertThrowsError(try Waveform(samples: Tensor.zeros([2, 1]), sampleRate: 4_000_000_000).writeWAV(out)) {
      XCTAssert("\($0)".contains("sample rate 4000000000 Hz is outside"), "\($0)")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    // Headers declaring a 4 GHz rate or 65535 channels.
    var good = try Data(contentsOf: Fixture.url("wav/pcm16.wav"))
    good.replaceSubrange(24..<28, with: [0x00, 0x28, 0x6B, 0xEE])  // 4,000,000,000 Hz
    try good.write(to: dir.appendingPathComponent("fast.wav"))
    XCTAssertThrowsError(try Waveform.load(dir.appendingPathComponent("fast.wav"))) {
      XCTAssert("\($0)".contains("fast.wav: invalid fmt") && "\($0)".contains("4000000000 Hz"), "\($0)")
    }
    var wide = try Data(contentsOf: Fixture.url("wav/pcm16.wav"))
    wide.replaceSubrange(22..<24, with: [0xFF, 0xFF])
    try wide.write(to: dir.appendingPathComponent("wide.wav"))
    XCTAssertThrowsError(try Waveform.load(dir.appendingPathComponent("wide.wav"))) {
      XCTAssert("\($0)".contains("wide.wav: invalid fmt: 65535 channels"), "\($0)")
    }
  }

  func testCorruptWAVFilesGiveClearErrors() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = try Data(contentsOf: Fixture.url("wav/pcm16.wav"))
    let cases: [(String, Data, String)] = [
      ("trunc.wav", good.prefix(good.count - 10), "truncated"),
      ("header.wav", good.prefix(30), "truncated"),
      ("riff.wav", Data("RIFX....WAVE".utf8), "not a RIFF/WAVE"),
      ("nodata.wav", good.prefix(36), "no data chunk"),
    ]
    for (name, d, needle) in cases {
      let u = dir.appendingPathComponent(name)
      try d.write(to: u)
      XCTAssertThrowsError(try Waveform.load(u)) { e in
        XCTAssert(String(describing: e).contains(name) && String(describing: e).contains(needle), "\(e)")
      }
    }
    var alaw = good
    alaw[20] = 6  // format tag 6 (A-law)
    let u = dir.appendingPathComponent("alaw.wav")
    try alaw.write(to: u)
    XCTAssertThrowsError(try Waveform.load(u)) { XCTAssert(String(describing: $0).contains("unsupported")) }
  }

  func testSpokenDigitLoads() throws {
    let data = try Fixture.requireSharedData()
    let w = try Waveform.load(data.appendingPathComponent("audio/fsdd/0_jackson_0.wav"))
    XCTAssertEqual(w.sampleRate, 8000)
    XCTAssertEqual(w.channels, 1)
    XCTAssert(w.duration > 0.1 && w.duration < 2)
  }
}

final class MetricsTests: XCTestCase {
  /// PSNR and SSIM against scikit-image (Fixtures/make_fixtures.py).
  func testMatchesScikitImage() throws {
    let f = try SafeTensors.read(Fixture.url("metrics.safetensors"))
    func m(_ k: String) -> Double { Double(f.metadata[k]!)! }
    XCTAssertEqual(Metrics.psnr(f["a"]!, f["b"]!), m("psnr_ab"), accuracy: 1e-4)
    XCTAssertEqual(Metrics.psnr(f["smooth"]!, f["b"]!), m("psnr_smooth_b"), accuracy: 1e-4)
    XCTAssertEqual(Metrics.ssim(f["a"]!, f["b"]!), m("ssim_ab"), accuracy: 1e-5)
    XCTAssertEqual(Metrics.ssim(f["smooth"]!, f["b"]!), m("ssim_smooth_b"), accuracy: 1e-5)
    XCTAssertEqual(Metrics.ssim(f["g1"]!, f["g2"]!), m("ssim_gray"), accuracy: 1e-5)
    XCTAssertEqual(Metrics.ssim(f["b"]!, f["b"]!), 1, accuracy: 1e-9)
  }

  func testQuantizedPSNRAndGrid() {
    let ref = Tensor([0, 0.5, 1])
    XCTAssertEqual(Metrics.psnrQuantized(Tensor([-0.2, 0.5, 1.3]), ref), Metrics.psnr(Tensor([0, 128.0 / 255, 1]), ref), accuracy: 1e-9)
    XCTAssertEqual(CoordinateGrid.axis(4), [-0.75, -0.25, 0.25, 0.75])
    let g = CoordinateGrid.image(height: 2, width: 3)
    XCTAssertEqual(g.shape, [6, 2])
    XCTAssertEqual(Array(g.scalars[2..<4]), [-0.5, 0])
  }
}
