import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Elementwise functions and their derivatives. Each backward rule is written with differentiable
/// tensor operations, so gradients of gradients follow.
extension Tensor {
  /// Runs a polynomial kernel from CKernels over all elements (threaded for large tensors).
  func cUnary(_ op: hk_unary_op) -> TensorStorage {
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    Parallel.forEachChunk(count) { range in
      hk_unary(Int32(op.rawValue), x + range.lowerBound, y + range.lowerBound, range.count)
    }
    return r
  }

  /// Elementwise Swift loop (vectorised by the compiler for simple bodies).
  @inline(__always)
  func swiftUnary(_ f: (Float) -> Float) -> TensorStorage {
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    Parallel.forEachChunk(count) { range in for i in range { y[i] = f(x[i]) } }
    return r
  }

  public func exp() -> Tensor {
    let s = cUnary(HK_EXP)
    let y = Tensor(shape: shape, storage: s)
    return Tensor.result(shape, s, [self]) { g, _ in [g * (GradMode.isEnabled ? self.exp() : y)] }
  }

  public func log() -> Tensor {
    Tensor.result(shape, cUnary(HK_LOG), [self]) { g, _ in [g / self] }
  }

  public func sqrt() -> Tensor {
    let s = swiftUnary { $0.squareRoot() }
    return Tensor.result(shape, s, [self]) { g, _ in [g * self.pow(-0.5) * 0.5] }
  }

  public func square() -> Tensor {
    Tensor.result(shape, swiftUnary { $0 * $0 }, [self]) { g, _ in [g * self * 2] }
  }

  /// x^p for a scalar exponent p.
  public func pow(_ p: Float) -> Tensor {
    let s: TensorStorage
    switch p {
    case 1: s = swiftUnary { $0 }
    case 2: s = swiftUnary { $0 * $0 }
    case 0.5: s = swiftUnary { $0.squareRoot() }
    case -1: s = swiftUnary { 1 / $0 }
    case -0.5: s = swiftUnary { 1 / $0.squareRoot() }
    default: s = swiftUnary { powf($0, p) }
    }
    return Tensor.result(shape, s, [self]) { g, _ in [p == 1 ? g : g * self.pow(p - 1) * p] }
  }

  public func abs() -> Tensor {
    Tensor.result(shape, swiftUnary { Swift.abs($0) }, [self]) { g, _ in
      [g * self.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }]
    }
  }

  public func sin() -> Tensor {
    Tensor.result(shape, cUnary(HK_SIN), [self]) { g, _ in [g * self.cos()] }
  }

  public func cos() -> Tensor {
    Tensor.result(shape, cUnary(HK_COS), [self]) { g, _ in [-(g * self.sin())] }
  }

  public func tanh() -> Tensor {
    let s = cUnary(HK_TANH)
    let y = Tensor(shape: shape, storage: s)
    return Tensor.result(shape, s, [self]) { g, _ in
      let t = GradMode.isEnabled ? self.tanh() : y
      return [g * (1 - t * t)]
    }
  }

  public func sigmoid() -> Tensor {
    let s = cUnary(HK_SIGMOID)
    let y = Tensor(shape: shape, storage: s)
    return Tensor.result(shape, s, [self]) { g, _ in
      let t = GradMode.isEnabled ? self.sigmoid() : y
      return [g * t * (1 - t)]
    }
  }

  /// max(x, 0); the gradient passes where x > 0.
  public func relu() -> Tensor {
    Tensor.result(shape, gatedStorage(self), [self]) { g, _ in [g.passed(wherePositive: self)] }
  }

  /// Runs an elementwise CKernels kernel of two same-sized inputs, kernel(self, other, out, n), over all
  /// elements (threaded for large tensors).
  private func cBinary(_ other: Tensor, _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)
    -> TensorStorage {
    precondition(count == other.count, "elementwise kernel: \(other.shape) against \(shape)")
    let x = storage.pointer, m = other.storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    Parallel.forEachChunk(count) { range in kernel(x + range.lowerBound, m + range.lowerBound, y + range.lowerBound, range.count) }
    return r
  }

  /// Elementwise `gate > 0 ? self : 0` (one vector kernel, threaded).
  private func gatedStorage(_ gate: Tensor) -> TensorStorage {
    precondition(shape == gate.shape, "gate shape \(gate.shape) != \(shape)")
    return cBinary(gate) { hk_relu_gate($0, $1, $2, $3) }
  }

  /// `self` where `gate` > 0, else 0 — the ReLU backward rule as one fused operation. Only `self` is
  /// differentiated (the gate is piecewise constant).
  func passed(wherePositive gate: Tensor) -> Tensor {
    Tensor.result(shape, gatedStorage(gate.detached()), [self]) { g, _ in [g.passed(wherePositive: gate)] }
  }

  /// `passed(wherePositive: gate)` and its sum over axis -2 in one pass, not recorded: the gradient a ReLU
  /// layer passes on and its bias gradient. Bitwise the same as the two operations apart.
  func passedWithColumnSums(wherePositive gate: Tensor) -> (passed: Tensor, sums: Tensor) {
    precondition(shape == gate.shape && rank >= 2, "gate shape \(gate.shape) != \(shape)")
    let lead = Array(shape.dropLast(2)), r = shape[rank - 2], inner = shape[rank - 1]
    if inner == 1 {  // sum(axis:) adds a single column with hk_sum, in another order
      let p = passed(wherePositive: gate)
      return (p, p.sum(axis: rank - 2))
    }
    let x = storage.pointer, m = gate.storage.pointer
    let out = TensorStorage(uninitializedCount: count), o = out.pointer
    let sums = Tensor.build(lead + [inner]) { y, _ in
      Tensor.columnSums(outer: lead.reduce(1, *), rows: r, inner: inner, into: y) { row, n, dst in
        hk_relu_gate_colsum_add(x + row * inner, m + row * inner, o + row * inner, n, inner, dst)
      }
    }
    return (Tensor(shape: shape, storage: out), sums)
  }

  /// GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  public func geluTanh() -> Tensor {
    Tensor.result(shape, cUnary(HK_GELU_TANH), [self]) { g, _ in
      let c: Float = 0.7978845608028654
      let x2 = self * self
      let t = (self * (x2 * 0.044715 + 1) * c).tanh()
      let d = (t + 1) * 0.5 + self * (1 - t * t) * (x2 * (3 * 0.044715 * c) + c) * 0.5
      return [g * d]
    }
  }

  /// GELU, exact form: x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). Backward g (Phi(x) + x phi(x)), product
  /// and derivative in one kernel pass, or from differentiable operations when the backward pass is recorded.
  public func geluErf() -> Tensor {
    Tensor.result(shape, cUnary(HK_GELU_ERF), [self]) { g, _ in
      if !GradMode.isEnabled {
        return [Tensor(shape: self.shape, storage: self.cBinary(g) { hk_gelu_erf_backward($0, $1, $2, $3) })]
      }
      let cdf = ((self * Float(0.5).squareRoot()).erf() + 1) * 0.5
      let pdf = (self * self * -0.5).exp() * Float(0.3989422804014327)
      return [g * (cdf + self * pdf)]
    }
  }

  /// The error function.
  public func erf() -> Tensor {
    Tensor.result(shape, cUnary(HK_ERF), [self]) { g, _ in [g * (self * self * -1).exp() * 1.1283791670955126] }
  }

  /// log(1 + exp(x)), computed stably; derivative sigmoid(x).
  public func softplus() -> Tensor {
    Tensor.result(shape, cUnary(HK_SOFTPLUS), [self]) { g, _ in [g * self.sigmoid()] }
  }
}
