import CKernels
/// A dense, contiguous, row-major Float32 array with value semantics and optional gradient tracking.
///
/// Storage is never mutated after an operation has produced it, so tensors can share it freely (a
/// `reshape` is free). Operations on tensors that require gradients record a node of the autograd graph
/// (see `Autograd.swift`); `gradients(of:wrt:)` walks it backwards.
public struct Tensor: CustomStringConvertible {
  public let shape: [Int]
  public let storage: TensorStorage
  let node: GradNode?

  init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
    self.shape = shape
    self.storage = storage
    self.node = node
  }

  /// Number of elements.
  public var count: Int { storage.count }
  public var rank: Int { shape.count }
  public var requiresGrad: Bool { node != nil }

  /// A tensor from row-major values; `scalars.count` must equal the product of `shape`.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
    let s = TensorStorage(uninitializedCount: scalars.count)
    scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    self.init(shape: shape, storage: s)
  }

  /// A rank-1 tensor.
  public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

  /// A rank-0 tensor.
  public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

  /// Builds a tensor of `shape` by filling uninitialised storage.
  public static func build(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
    let n = shape.reduce(1, *)
    let s = TensorStorage(uninitializedCount: n)
    fill(s.pointer, n)
    return Tensor(shape: shape, storage: s)
  }

  public static func zeros(_ shape: [Int]) -> Tensor {
    Tensor(shape: shape, storage: TensorStorage(zeros: shape.reduce(1, *)))
  }

  public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

  public static func full(_ shape: [Int], _ value: Float) -> Tensor {
    build(shape) { p, n in p.update(repeating: value, count: n) }
  }

  /// start, start + step, ... below end.
  public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
    precondition(step != 0, "arange step must be non-zero")
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    return build([n]) { p, n in for i in 0..<n { p[i] = start + Float(i) * step } }
  }

  /// `count` evenly spaced values from start to end inclusive.
  public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
    build([count]) { p, n in
      if n == 1 { p[0] = start; return }
      let step = (Double(end) - Double(start)) / Double(n - 1)
      for i in 0..<n { p[i] = Float(Double(start) + Double(i) * step) }
      if n > 1 { p[n - 1] = end }
    }
  }

  /// Uniform in [low, high), drawn in row-major order from `rng`.
  public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout RandomGenerator) -> Tensor {
    build(shape) { p, n in for i in 0..<n { p[i] = low + (high - low) * rng.nextFloat() } }
  }

  /// Normal(mean, std^2), drawn in row-major order from `rng` (Box-Muller pairs).
  public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomGenerator) -> Tensor {
    build(shape) { p, n in
      var i = 0
      while i < n {
        let (a, b) = rng.nextNormalPair()
        p[i] = mean + std * a
        if i + 1 < n { p[i + 1] = mean + std * b }
        i += 2
      }
    }
  }

  /// The values in row-major order.
  public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

  /// Whether no element is NaN or infinite.
  public var isAllFinite: Bool { hk_all_finite(storage.pointer, count) != 0 }

  /// The single value of a one-element tensor.
  public func item() -> Float {
    precondition(count == 1, "item() needs exactly one element, shape is \(shape)")
    return storage.pointer[0]
  }

  /// Element at a multi-index.
  public subscript(_ index: Int...) -> Float {
    precondition(index.count == rank, "index \(index) does not match shape \(shape)")
    var off = 0
    for (i, d) in zip(index, shape) {
      precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
      off = off * d + i
    }
    return storage.pointer[off]
  }

  /// The same values without gradient tracking.
  public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

  /// The same values as a new leaf of the autograd graph.
  public func requiringGrad() -> Tensor { Tensor(shape: shape, storage: storage, node: GradNode()) }

  /// Identity of this tensor's autograd node (nil when it does not require gradients).
  public var gradID: ObjectIdentifier? { node.map(ObjectIdentifier.init) }

  public var description: String {
    let vals = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(vals)\(count > 8 ? ", ..." : "")])"
  }

  /// Strides (in elements) of the row-major layout.
  public static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc *= shape[i]
    }
    return s
  }

  /// Normalises a possibly negative axis.
  @inline(__always)
  func axis(_ a: Int) -> Int {
    let r = a < 0 ? a + rank : a
    precondition(r >= 0 && r < Swift.max(rank, 1), "axis \(a) out of range for shape \(shape)")
    return r
  }
}
