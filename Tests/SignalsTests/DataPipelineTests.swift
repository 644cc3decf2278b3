import Foundation
import HyperTensor
import Signals
import XCTest

final class DataPipelineTests: XCTestCase {
  func testResizeAveragesAndPreservesConstants() {
    let flat = Image(pixels: Tensor.full([9, 12, 3], 0.25))
    XCTAssertEqual(flat.resized(height: 4, width: 5).pixels.scalars.map { ($0 * 1e5).rounded() / 1e5 }, Array(repeating: 0.25, count: 60))
    XCTAssertEqual(flat.resized(height: 20, width: 7).pixels.shape, [20, 7, 3])
    // Downscaling a 1-pixel checkerboard by 2 averages it to grey (antialiasing).
    let checker = Image(pixels: Tensor.build([8, 8, 1]) { p, _ in for i in 0..<8 { for j in 0..<8 { p[i * 8 + j] = Float((i + j) % 2) } } })
    for v in checker.resized(height: 4, width: 4).pixels.scalars { XCTAssertEqual(v, 0.5, accuracy: 0.13) }
    XCTAssertEqual(checker.resizedShortSide(to: 4).pixels.shape, [4, 4, 1])
    let wide = Image(pixels: Tensor.zeros([10, 30, 3]))
    XCTAssertEqual(wide.resizedShortSide(to: 5).pixels.shape, [5, 15, 3])
  }

  func testCropsAndFlip() {
    let img = Image(pixels: Tensor.build([4, 5, 1]) { p, n in for i in 0..<n { p[i] = Float(i) } })
    XCTAssertEqual(img.centerCropped(2).pixels.scalars, [6, 7, 11, 12])
    XCTAssertEqual(img.horizontallyFlipped().pixels.scalars.prefix(5), [4, 3, 2, 1, 0])
    var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
    XCTAssertEqual(img.randomCropped(3, rng: &a).pixels.scalars, img.randomCropped(3, rng: &b).pixels.scalars)
  }

  func testFolderErrorsAndSeededBatches() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    XCTAssertThrowsError(try ImageFolder(root: dir.appendingPathComponent("nope"), transform: .centerCrop(size: 4))) {
      XCTAssert(String(describing: $0).contains("is not a folder"))
    }
    XCTAssertThrowsError(try ImageFolder(root: dir, transform: .centerCrop(size: 4))) {
      XCTAssert(String(describing: $0).contains("contains no .png"))
    }
    let sub = dir.appendingPathComponent("a/b")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    for k in 0..<6 {
      try Image(pixels: Tensor.full([6, 7, 3], Float(k) / 10)).writePNG(sub.appendingPathComponent("img\(k).png"))
    }
    try Data("broken".utf8).write(to: dir.appendingPathComponent("zz-broken.png"))
    let folder = try ImageFolder(root: dir, transform: .randomCrop(size: 4, flip: true))
    XCTAssertEqual(folder.files.count, 7)
    XCTAssertThrowsError(try folder.batch([6], seed: 1)) { XCTAssert(String(describing: $0).contains("zz-broken.png")) }

    let good = try ImageFolder(files: Array(folder.files.prefix(6)), transform: .randomCrop(size: 4, flip: true))
    let l1 = BatchLoader(good, batchSize: 2, seed: 9), l2 = BatchLoader(good, batchSize: 2, seed: 9)
    var seen: Set<Float> = []
    for _ in 0..<3 {
      let (a, e) = try l1.next(), (b, _) = try l2.next()
      XCTAssertEqual(e, 0)
      XCTAssertEqual(a.shape, [2, 4, 4, 3])
      XCTAssertEqual(a.scalars, b.scalars)
      seen.insert(a.scalars[0]); seen.insert(a.scalars[48])
    }
    XCTAssertEqual(seen.count, 6, "one epoch visits every image once")
    XCTAssertEqual(try l1.next().epoch, 1)
    // A loader created at a later position produces the same batch as one that got there by iterating.
    _ = try l2.next()  // epoch 1, batch 0
    let resumed = BatchLoader(good, batchSize: 2, seed: 9, epoch: 1, batchIndex: 1)
    XCTAssertEqual(try resumed.next().0.scalars, try l2.next().0.scalars)
  }
}
