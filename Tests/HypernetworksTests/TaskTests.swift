import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import XCTest

final class TaskTests: XCTestCase {
  /// A partial observation keeps, per signal, a random share of the samples: the observed coordinates and
  /// values are those of the masked-in grid positions, the rest of the signal is zero.
  func testContextObservationsAgreeWithTheirMask() {
    let task = ImageReconstruction(size: 4, trainTransform: .resize(size: 4), testTransform: .resize(size: 4))
    var rng = RandomGenerator(seed: 1)
    let x = Tensor.uniform([2, 4, 4, 3], low: 0.1, high: 1, rng: &rng)
    let obs = task.observations(of: x, contextFraction: 0.25, rng: &rng)
    XCTAssertEqual(obs.coords.shape, [2, 4, 2])
    XCTAssertEqual(obs.targets.shape, [2, 4, 3])
    guard let mask = obs.mask else { return XCTFail("a partial observation has a mask") }
    XCTAssertEqual(mask.shape, [2, 4, 4, 1])
    let m = mask.scalars, grid = task.coords.scalars, s = x.scalars, seen = obs.signals.scalars
    for b in 0..<2 {
      let kept = (0..<16).filter { m[b * 16 + $0] == 1 }
      XCTAssertEqual(kept.count, 4)
      for (j, i) in kept.enumerated() {
        XCTAssertEqual(Array(obs.coords.scalars[(b * 4 + j) * 2..<(b * 4 + j) * 2 + 2]), Array(grid[i * 2..<i * 2 + 2]))
        XCTAssertEqual(Array(obs.targets.scalars[(b * 4 + j) * 3..<(b * 4 + j) * 3 + 3]), Array(s[(b * 16 + i) * 3..<(b * 16 + i) * 3 + 3]))
      }
      for i in 0..<16 where m[b * 16 + i] == 0 { XCTAssertEqual(Array(seen[(b * 16 + i) * 3..<(b * 16 + i) * 3 + 3]), [0, 0, 0]) }
    }
    XCTAssertNotEqual(Array(m[0..<16]), Array(m[16..<32]), "each signal draws its own context")
    XCTAssertNil(task.observations(of: x, contextFraction: 1, rng: &rng).mask)
  }

  /// Calibration of Gaussians: a z-score of at most 1 (2) counts within 1 (2) sigma; the NLL is the
  /// Gaussian's, per value.
  func testCalibration() {
    let c = Calibration(mean: [0, 0, 0, 0], scale: [1, 1, 1, 0.5], targets: [0.5, -1.5, 3, 0.5])
    XCTAssertEqual(c.within1, 0.5)
    XCTAssertEqual(c.within2, 0.75)
    let nll = [0.5, 1.5, 3.0].map { 0.5 * $0 * $0 + 0.9189385332046727 }.reduce(0, +) + (0.5 * 1 + log(0.5) + 0.9189385332046727)
    XCTAssertEqual(c.nll, nll / 4, accuracy: 1e-9)
  }
}
