import Foundation
import XCTest
import HyperTensor

final class ElementwiseGradientTests: XCTestCase {
  /// GradMode is per thread: a scope without gradients on one thread leaves another thread recording
  /// (the data loader builds tensors while the training thread switches the mode).
  func testGradModeIsPerThread() {
    let x = Tensor([1, 2]).requiringGrad()
    final class Box: @unchecked Sendable { var enabled = false; var recorded = false }
    let box = Box(), done = DispatchSemaphore(value: 0)
    GradMode.withoutGradients {
      XCTAssertFalse(GradMode.isEnabled)
      XCTAssertFalse((x * 2).requiresGrad)
      Thread {
        box.enabled = GradMode.isEnabled
        box.recorded = (x * 2).requiresGrad
        done.signal()
      }.start()
      done.wait()
    }
    XCTAssert(box.enabled && box.recorded)
    XCTAssert(GradMode.isEnabled && (x * 2).requiresGrad)
  }

  typealias G = GradientCheck

  func testBroadcastingArithmetic() {
    let a = G.random([3, 4], seed: 1), b = G.random([4], seed: 2), c = G.random([3, 1], seed: 3)
    let pos = G.random([3, 4], seed: 4, low: 0.5, high: 2)
    G.check([a, b]) { $0[0] + $0[1] }
    G.check([a, c]) { $0[0] - $0[1] }
    G.check([a, b]) { $0[0] * $0[1] }
    G.check([a, pos]) { $0[0] / $0[1] }
    G.check([b, pos]) { $0[0] / $0[1] }
    G.check([a]) { -$0[0] }
    G.check([a]) { $0[0].affine(scale: 1.5, shift: -0.25) }
    G.check([pos]) { 2 / $0[0] }
  }

  func testSmoothUnaryFunctions() {
    let x = G.random([2, 5], seed: 5, low: -2, high: 2)
    let pos = G.random([2, 5], seed: 6, low: 0.2, high: 3)
    G.check([x]) { $0[0].exp() }
    G.check([pos]) { $0[0].log() }
    G.check([pos]) { $0[0].sqrt() }
    G.check([x]) { $0[0].square() }
    G.check([pos]) { $0[0].pow(1.7) }
    G.check([pos]) { $0[0].pow(-0.5) }
    G.check([x]) { $0[0].sin() }
    G.check([x]) { $0[0].cos() }
    G.check([x]) { $0[0].tanh() }
    G.check([x]) { $0[0].sigmoid() }
    G.check([x]) { $0[0].geluTanh() }
    G.check([x]) { $0[0].geluErf() }
    G.check([x]) { $0[0].erf() }
    G.check([x]) { $0[0].softplus() }
  }

  func testPiecewiseFunctionsAwayFromKinks() {
    let x = G.awayFromZero([3, 4], seed: 7)
    let y = G.awayFromZero([3, 4], seed: 8)
    G.check([x]) { $0[0].abs() }
    G.check([x]) { $0[0].relu() }
    G.check([x, y]) { $0[0].maximum($0[1]) }
    G.check([x, y]) { $0[0].minimum($0[1]) }
    G.check([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
    let cond = x.map { $0 > 0 ? 1 : 0 }
    G.check([x, y]) { Tensor.select(cond, $0[0], $0[1]) }
    G.check([x, G.random([4], seed: 9)]) { Tensor.select(cond, $0[0], $0[1]) }
  }

  func testSecondOrderOfSmoothFunctions() {
    let x = G.random([6], seed: 10, low: -1.5, high: 1.5)
    let pos = G.random([6], seed: 11, low: 0.3, high: 2)
    for (name, f) in [("exp", { (t: Tensor) in t.exp() }), ("sin", { $0.sin() }), ("cos", { $0.cos() }),
                      ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("geluTanh", { $0.geluTanh() }),
                      ("geluErf", { $0.geluErf() }), ("erf", { $0.erf() }), ("softplus", { $0.softplus() }),
                      ("square", { $0.square() }), ("mul", { $0 * $0 * $0 })] as [(String, (Tensor) -> Tensor)] {
      _ = name
      G.checkSecondOrder(x, f)
    }
    G.checkSecondOrder(pos) { $0.log() }
    G.checkSecondOrder(pos) { $0.sqrt() }
    G.checkSecondOrder(pos) { $0.pow(2.5) }
    G.checkSecondOrder(pos) { 1 / $0 }
  }
}
