import Foundation
import HyperNN
import HyperTensor
import XCTest

final class TrainingCheckpointTests: XCTestCase {
  /// A model with dropout resumed from a checkpoint draws the same dropout masks, and so computes the same
  /// outputs and takes the same optimizer steps, as the uninterrupted model.
  func testDropoutStreamsAndOptimizerResumeExactly() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    func make() -> TransformerEncoder {
      var rng = RandomGenerator(seed: 7)
      return TransformerEncoder(depth: 2, dim: 8, heads: 2, dropout: 0.3, rng: &rng)
    }
    var xr = RandomGenerator(seed: 8)
    let x = Tensor.uniform([2, 5, 8], low: -1, high: 1, rng: &xr)
    let original = make(), opt = Adam(learningRate: 1e-2)
    for _ in 0..<3 { opt.minimize(original) { original(x).square().mean() } }
    let url = dir.appendingPathComponent("c.safetensors")
    try TrainingCheckpoint(step: 3, rng: RandomGenerator(seed: 99), metadata: ["k": "v"]).write(module: original, optimizer: opt, to: url)

    let resumed = make(), opt2 = Adam(learningRate: 1e-2)
    let state = try TrainingCheckpoint.restore(try SafeTensors.read(url), path: url.path, module: resumed, optimizer: opt2)
    XCTAssertEqual(state.step, 3)
    XCTAssertEqual(state.metadata["k"], "v")
    var a = RandomGenerator(seed: 99), b = state.rng
    XCTAssertEqual(a.next(), b.next())
    for _ in 0..<3 {
      let la = opt.minimize(original) { original(x).square().mean() }
      let lb = opt2.minimize(resumed) { resumed(x).square().mean() }
      XCTAssertEqual(la, lb)
    }
    // Without the module streams (a fresh model) the next masks differ: the test can fail.
    let fresh = make()
    try fresh.load(original.stateDict())
    XCTAssertNotEqual(fresh(x).scalars, original(x).scalars)
  }

  func testFileWithoutTrainingStateIsRefused() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-ckpt-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try SafeTensors.write([("w", Tensor.zeros([2]))], metadata: [:], to: url)
    let m = Module()
    XCTAssertThrowsError(try TrainingCheckpoint.restore(try SafeTensors.read(url), path: url.path, module: m, optimizer: nil)) {
      XCTAssert("\($0)".contains("not a resumable checkpoint"), "\($0)")
    }
  }
}
