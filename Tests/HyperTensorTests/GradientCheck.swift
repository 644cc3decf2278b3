import XCTest
import HyperTensor

/// Finite-difference gradient checking for Float32 operations.
///
/// The checked scalar is L = sum_i w_i f(x)_i with fixed random weights w, accumulated in Double so that
/// the only noise is Float32 rounding of f's outputs (~6e-8 relative). With central differences of step
/// h = 1e-3 that noise contributes ~1e-4 absolute error to a derivative of order 1 and the truncation error
/// is O(h^2 f''') ~ 1e-6; the tolerance |analytic - numeric| <= 2e-3 + 2e-2 |numeric| leaves a safety
/// margin of ~10x over that while still failing for any wrong rule (which errs by O(1)).
enum GradientCheck {
  static let step: Float = 1e-3

  static func weightedSum(_ y: Tensor, _ w: [Double]) -> Double {
    zip(y.scalars, w).reduce(0) { $0 + Double($1.0) * $1.1 }
  }

  /// Checks d/dx of sum(w * f(x)) for every element of every input (at most `maxElements` per input).
  static func check(_ inputs: [Tensor], seed: UInt64 = 7, atol: Double = 2e-3, rtol: Double = 2e-2,
                    maxElements: Int = 48, file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([Tensor]) -> Tensor) {
    let xs = inputs.map { $0.requiringGrad() }
    let y = f(xs)
    var rng = RandomGenerator(seed: seed)
    let w = (0..<y.count).map { _ in Double(rng.nextFloat() * 2 - 1) }
    let wT = Tensor(shape: y.shape, scalars: w.map(Float.init))
    let analytic = gradients(of: (y * wT).sum(), wrt: xs)
    for (k, x) in inputs.enumerated() {
      XCTAssertEqual(analytic[k].shape, x.shape, "gradient shape of input \(k)", file: file, line: line)
      let stride = max(1, x.count / maxElements)
      for i in Swift.stride(from: 0, to: x.count, by: stride) {
        func perturbed(_ d: Float) -> Double {
          var vals = x.scalars
          vals[i] += d
          var args = inputs
          args[k] = Tensor(shape: x.shape, scalars: vals)
          return weightedSum(GradMode.withoutGradients { f(args) }, w)
        }
        let h = Double(step)
        let numeric = (perturbed(step) - perturbed(-step)) / (2 * h)
        let a = Double(analytic[k].scalars[i])
        XCTAssert(abs(a - numeric) <= atol + rtol * abs(numeric),
                  "input \(k) element \(i): analytic \(a) vs numeric \(numeric)", file: file, line: line)
      }
    }
  }

  /// Second order: checks the gradient of h(x) = sum(v * df/dx) (built with createGraph) against central
  /// differences of the first gradient.
  static func checkSecondOrder(_ input: Tensor, seed: UInt64 = 11, atol: Double = 5e-3, rtol: Double = 3e-2,
                               file: StaticString = #filePath, line: UInt = #line, _ f: (Tensor) -> Tensor) {
    var rng = RandomGenerator(seed: seed)
    let v = Tensor.uniform(input.shape, low: -1, high: 1, rng: &rng)
    func firstGradDotV(_ x: Tensor, createGraph: Bool) -> (Tensor, Tensor) {
      let xg = x.requiresGrad ? x : x.requiringGrad()
      let g = gradients(of: f(xg).sum(), wrt: [xg], createGraph: createGraph)[0]
      return ((g * v).sum(), xg)
    }
    let (h, x) = firstGradDotV(input, createGraph: true)
    let second = gradients(of: h, wrt: [x])[0]
    for i in 0..<input.count {
      func hAt(_ d: Float) -> Double {
        var vals = input.scalars
        vals[i] += d
        let (hv, _) = firstGradDotV(Tensor(shape: input.shape, scalars: vals), createGraph: false)
        return Double(hv.item())
      }
      let numeric = (hAt(step) - hAt(-step)) / (2 * Double(step))
      let a = Double(second.scalars[i])
      XCTAssert(abs(a - numeric) <= atol + rtol * abs(numeric),
                "second-order element \(i): analytic \(a) vs numeric \(numeric)", file: file, line: line)
    }
  }

  /// Uniform values in +-[margin, 1], away from kinks at zero.
  static func awayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.build(shape) { p, n in
      for i in 0..<n {
        let m = margin + (1 - margin) * rng.nextFloat()
        p[i] = rng.nextFloat() < 0.5 ? -m : m
      }
    }
  }

  static func random(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, rng: &rng)
  }
}
