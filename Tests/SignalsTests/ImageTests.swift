import Foundation
import HyperTensor
import Signals
import XCTest

final class ImageTests: XCTestCase {
  /// Every colour type and bit depth, encoded by pypng from known values (Fixtures/make_fixtures.py).
  func testAllPNGColourTypesAndBitDepths() throws {
    let expected = try Fixture.json("png_expected.json") as! [String: [String: Any]]
    XCTAssertEqual(expected.count, 19)
    for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
      let img = try Image.load(Fixture.url("png/\(name)"))
      XCTAssertEqual(img.pixels.shape, [5, 7, e["channels"] as! Int], name)
      let values = (e["values"] as! [Double]).map(Float.init)
      for (a, b) in zip(img.pixels.scalars, values) { XCTAssertEqual(a, b, accuracy: 1e-6, name) }
    }
  }

  /// Baseline, progressive and grayscale JPEG against Pillow's decoding (both libjpeg-turbo).
  func testJPEGMatchesPillow() throws {
    let expected = try Fixture.json("jpeg_expected.json") as! [String: [Int]]
    for (name, values) in expected {
      let img = try Image.load(Fixture.url("jpeg/\(name)"))
      XCTAssertEqual(img.pixels.shape, [48, 64, name == "gray.jpg" ? 1 : 3], name)
      let worst = zip(img.pixels.scalars, values).map { abs($0 * 255 - Float($1)) }.max()!
      XCTAssertLessThanOrEqual(worst, 1.01, name)
    }
  }

  func testWriteReadRoundTrips() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = RandomGenerator(seed: 1)
    for c in 1...4 {
      let t = Tensor.uniform([9, 13, c], rng: &rng).map { ($0 * 255).rounded() / 255 }
      let url = dir.appendingPathComponent("x\(c).png")
      try Image(pixels: t).writePNG(url)
      XCTAssertEqual(try Image.load(url).pixels.scalars, t.scalars)
    }
    let photo = try Image.load(Fixture.url("jpeg/baseline.jpg"))
    let jpg = dir.appendingPathComponent("q95.jpg")
    try photo.writeJPEG(jpg, quality: 95)
    let back = try Image.load(jpg)
    XCTAssertEqual(back.pixels.shape, photo.pixels.shape)
    XCTAssertGreaterThan(Metrics.psnr(back.pixels, photo.pixels), 35)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(),
                   ["q95.jpg", "x1.png", "x2.png", "x3.png", "x4.png"])
  }

  /// NaN or infinite pixels (a diverged or corrupt model) are refused by name; nothing is written.
  func testNonFinitePixelsAreNotWritten() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let img = Image(pixels: Tensor(shape: [1, 2, 1], scalars: [.nan, -.infinity]))
    XCTAssertEqual(img.bytes(), [0, 0])
    XCTAssertThrowsError(try img.writePNG(dir.appendingPathComponent("a.png"))) {
      XCTAssert("\($0)".contains("a.png: not written: 2 of 2 values are NaN or infinite"), "\($0)")
    }
    XCTAssertThrowsError(try img.writeJPEG(dir.appendingPathComponent("a.jpg"), quality: 90))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
  }

  func testAlphaCompositing() throws {
    let img = try Image.load(Fixture.url("png/palette_trns.png"), alpha: .composite(background: 1))
    let raw = try Image.load(Fixture.url("png/palette_trns.png"))
    XCTAssertEqual(img.channels, 3)
    let r = raw.pixels.scalars, o = img.pixels.scalars
    for p in 0..<35 {
      let a = r[4 * p + 3]
      for k in 0..<3 { XCTAssertEqual(o[3 * p + k], r[4 * p + k] * a + (1 - a), accuracy: 1e-6) }
    }
  }

  private func assertLoadFails(_ url: URL, _ needle: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try Image.load(url), file: file, line: line) { e in
      let m = String(describing: e)
      XCTAssert(m.contains(url.lastPathComponent) && m.contains(needle), m, file: file, line: line)
    }
  }

  func testCorruptAndMissingImagesGiveClearErrors() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let png = try Data(contentsOf: Fixture.url("png/rgb8.png"))
    let jpg = try Data(contentsOf: Fixture.url("jpeg/baseline.jpg"))
    func write(_ name: String, _ d: Data) -> URL {
      let u = dir.appendingPathComponent(name)
      try! d.write(to: u)
      return u
    }
    assertLoadFails(write("trunc.png", png.prefix(60)), "corrupt")
    var flipped = png
    flipped[flipped.count / 2] ^= 0xFF
    assertLoadFails(write("flipped.png", flipped), "corrupt")
    assertLoadFails(write("trunc.jpg", jpg.prefix(jpg.count / 2)), "corrupt")
    var badJpg = jpg
    for i in 200..<260 { badJpg[i] = 0xFF }
    assertLoadFails(write("bad.jpg", badJpg), "corrupt")
    assertLoadFails(write("text.png", Data("hello, not an image".utf8)), "not a PNG or JPEG")
    assertLoadFails(dir.appendingPathComponent("missing.png"), "does not exist")
  }

  /// Every PNG of ../shared/data/photos and emoji loads; a sample matches Pillow's decoding.
  func testRealDataLoadsAndMatchesPillow() throws {
    let data = try Fixture.requireSharedData()
    let expected = try Fixture.json("photos_expected.json") as! [String: [String: Any]]
    for (rel, e) in expected {
      let img = try Image.load(data.appendingPathComponent(rel))
      XCTAssertEqual(img.pixels.shape, e["shape"] as! [Int], rel)
      let s = img.pixels.scalars
      XCTAssertEqual(s.reduce(0) { $0 + Int(($1 * 255).rounded()) }, e["sum"] as! Int, rel)
      let c = img.channels, w = img.width
      for probe in e["probes"] as! [[Any]] {
        let y = probe[0] as! Int, x = probe[1] as! Int, v = probe[2] as! [Int]
        for k in 0..<c { XCTAssertEqual(Int((s[(y * w + x) * c + k] * 255).rounded()), v[k], "\(rel) (\(y), \(x))") }
      }
    }
    var count = 0
    for folder in ["photos", "emoji/train", "emoji/test", "kodak"] {
      for name in try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent(folder).path) where name.hasSuffix(".png") {
        _ = try Image.load(data.appendingPathComponent(folder).appendingPathComponent(name))
        count += 1
      }
    }
    XCTAssertGreaterThan(count, 3800)
  }
}

final class JPEGBaselineTests: XCTestCase {
  func testFindsHighestQualityUnderBudget() throws {
    let img = try Image.load(Fixture.url("jpeg/baseline.jpg"))
    let r = try XCTUnwrap(JPEGBaseline.matching(bpp: 4, image: img))  // 64 x 48: the JPEG header alone is ~1.6 bpp
    XCTAssertLessThanOrEqual(r.bpp, 4)
    XCTAssert((1...100).contains(r.quality))
    if r.quality < 100, let next = try JPEGBaseline.matching(bpp: 100, image: img), next.quality > r.quality {
      XCTAssertGreaterThan(next.bpp, r.bpp)
    }
    XCTAssertNil(try JPEGBaseline.matching(bpp: 0.001, image: img))
    XCTAssertGreaterThan(Metrics.psnr(r.decoded.pixels, img.pixels), 25)
  }
}
