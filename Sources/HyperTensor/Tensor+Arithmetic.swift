/// Broadcasting arithmetic with backward rules: the gradient of a broadcast operand is summed back to
/// its shape (`sum(toShape:)`).
extension Tensor {
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, AddKernel.self).storage, [a, b]) { g, _ in
      [g.sum(toShape: a.shape), g.sum(toShape: b.shape)]
    }
  }

  public static func - (a: Tensor, b: Tensor) -> Tensor {
    result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, SubKernel.self).storage, [a, b]) { g, _ in
      [g.sum(toShape: a.shape), (-g).sum(toShape: b.shape)]
    }
  }

  public static func * (a: Tensor, b: Tensor) -> Tensor {
    result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, MulKernel.self).storage, [a, b]) { g, needs in
      [needs[0] ? (g * b).sum(toShape: a.shape) : nil, needs[1] ? (g * a).sum(toShape: b.shape) : nil]
    }
  }

  public static func / (a: Tensor, b: Tensor) -> Tensor {
    result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, DivKernel.self).storage, [a, b]) { g, needs in
      [needs[0] ? (g / b).sum(toShape: a.shape) : nil,
       needs[1] ? (-(g * a) / (b * b)).sum(toShape: b.shape) : nil]
    }
  }

  public static prefix func - (a: Tensor) -> Tensor { a * -1 }

  /// x * s + t elementwise for scalars s and t.
  public func affine(scale s: Float, shift t: Float) -> Tensor {
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    Parallel.forEachChunk(count) { range in for i in range { y[i] = x[i] * s + t } }
    return Tensor.result(shape, r, [self]) { g, _ in [g * s] }
  }

  public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
  public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
  public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
  public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
  public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
  public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
  public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
  public static func / (s: Float, a: Tensor) -> Tensor { a.pow(-1) * s }

  /// Elementwise maximum (the gradient goes to `a` where a >= b, else to `b`).
  public func maximum(_ b: Tensor) -> Tensor {
    let a = self
    return Tensor.result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, MaxKernel.self).storage, [a, b]) { g, _ in
      let m = a.mask(greaterOrEqual: b)
      return [(g * m).sum(toShape: a.shape), (g - g * m).sum(toShape: b.shape)]
    }
  }

  /// Elementwise minimum (the gradient goes to `a` where a <= b, else to `b`).
  public func minimum(_ b: Tensor) -> Tensor {
    let a = self
    return Tensor.result(Broadcast.shape(a.shape, b.shape), Broadcast.apply(a, b, MinKernel.self).storage, [a, b]) { g, _ in
      let m = b.mask(greaterOrEqual: a)
      return [(g * m).sum(toShape: a.shape), (g - g * m).sum(toShape: b.shape)]
    }
  }

  /// Clamps to [low, high]; the gradient passes where low <= x <= high.
  public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
    let x = storage.pointer
    let r = TensorStorage(uninitializedCount: count)
    let y = r.pointer
    Parallel.forEachChunk(count) { range in for i in range { y[i] = Swift.min(Swift.max(x[i], low), high) } }
    let input = self
    return Tensor.result(shape, r, [self]) { g, _ in
      [g * input.map { $0 >= low && $0 <= high ? 1 : 0 }]
    }
  }

  /// `a` where `condition` is non-zero, `b` elsewhere (all three broadcast). `condition` is not
  /// differentiated.
  public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let c = condition.detached().map { $0 != 0 ? 1 : 0 }
    let out = Broadcast.shape(Broadcast.shape(c.shape, a.shape), b.shape)
    let ce = c.broadcast(to: out).detached(), ae = a.broadcast(to: out).detached(), be = b.broadcast(to: out).detached()
    let r = Tensor.build(out) { y, n in
      let pc = ce.storage.pointer, pa = ae.storage.pointer, pb = be.storage.pointer
      for i in 0..<n { y[i] = pc[i] != 0 ? pa[i] : pb[i] }
    }
    return result(out, r.storage, [a, b]) { g, _ in
      [(g * c).sum(toShape: a.shape), (g - g * c).sum(toShape: b.shape)]
    }
  }

  /// 1 where self >= other, else 0 (not differentiable).
  public func mask(greaterOrEqual other: Tensor) -> Tensor { Broadcast.apply(detached(), other.detached(), GreaterEqualKernel.self) }
  /// 1 where self > other, else 0 (not differentiable).
  public func mask(greater other: Tensor) -> Tensor { Broadcast.apply(detached(), other.detached(), GreaterKernel.self) }
  /// 1 where self == other, else 0 (not differentiable).
  public func mask(equal other: Tensor) -> Tensor { Broadcast.apply(detached(), other.detached(), EqualKernel.self) }

  /// Applies a scalar function elementwise without recording gradients.
  public func map(_ f: (Float) -> Float) -> Tensor {
    let x = storage.pointer
    return Tensor.build(shape) { y, n in for i in 0..<n { y[i] = f(x[i]) } }
  }
}
