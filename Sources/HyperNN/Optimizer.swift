import HyperTensor

/// Errors of optimizer-state restoration.
public struct OptimizerStateError: Error, CustomStringConvertible {
  public let description: String
}

/// Updates parameters from their gradients. State (moments, step count) is keyed by parameter name so
/// that it can be saved to and restored from a checkpoint.
public protocol Optimizer: AnyObject {
  var learningRate: Float { get set }
  /// Number of completed updates.
  var step: Int { get }
  /// Applies one update; `gradients[i]` belongs to `parameters[i]`.
  func update(_ parameters: [(String, Parameter)], gradients: [Tensor])
  /// The state as named tensors ("<slot>.<parameter name>", plus "step").
  func stateTensors() -> [String: Tensor]
  /// Restores what `stateTensors()` returned.
  func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
  /// Computes the gradients of `loss` for `module`'s trainable parameters and applies one update; returns
  /// the loss, or NaN without updating when the loss or a gradient is not finite.
  @discardableResult
  public func minimize(_ module: Module, _ loss: () throws -> Tensor) rethrows -> Float {
    try minimize(module, parts: 1) { _ in try loss() }
  }

  /// Gradient accumulation: one update on the loss `part(0) + ... + part(parts - 1)`. Each part's graph is
  /// built, differentiated and released before the next, so a batch too large for the caches runs in
  /// pieces that fit them, with the gradients of the whole batch (up to the order of float sums). Returns
  /// the summed loss, or a non-finite value (NaN when only a gradient is) without updating when it or a
  /// gradient is not finite.
  @discardableResult
  public func minimize(_ module: Module, parts: Int, _ part: (Int) throws -> Tensor) rethrows -> Float {
    precondition(parts >= 1, "a loss has at least one part")
    let params = module.trainableParameters(), values = params.map { $0.1.value }
    var value: Float = 0, grads: [Tensor] = []
    for i in 0..<parts {
      let l = try part(i)
      let g = gradients(of: l, wrt: values)
      value += l.item()
      grads = i == 0 ? g : zip(grads, g).map { $0 + $1 }
    }
    // A NaN or infinite loss or gradient is not applied: the parameters stay the last finite ones (the
    // callers stop on the non-finite loss returned, with their last checkpoint intact).
    guard value.isFinite, grads.allSatisfy(\.isAllFinite) else { return value.isFinite ? .nan : value }
    update(params, gradients: grads)
    return value
  }
}

/// Named per-parameter buffers of an optimizer (mutable, owned by it), with their export to and restore
/// from named tensors ("<slot>.<parameter name>" plus "step").
final class SlotBuffers {
  private var slots: [String: TensorStorage] = [:]
  private var shapes: [String: [Int]] = [:]

  /// The buffer for `key`, zero-initialised on first use.
  func buffer(_ key: String, shape: [Int]) -> UnsafeMutablePointer<Float> {
    let count = shape.reduce(1, *)
    shapes[key] = shape
    if let s = slots[key], s.count == count { return s.pointer }
    let s = TensorStorage(zeros: count)
    slots[key] = s
    return s.pointer
  }

  func state(step: Int) -> [String: Tensor] {
    var out: [String: Tensor] = ["step": Tensor(scalar: Float(step))]
    for (k, s) in slots {
      out[k] = Tensor(shape: shapes[k] ?? [s.count], scalars: Array(UnsafeBufferPointer(start: s.pointer, count: s.count)))
    }
    return out
  }

  /// Replaces the buffers with the entries of `state` under `prefixes`; returns the stored step.
  func restore(_ state: [String: Tensor], prefixes: [String]) throws -> Int {
    guard let step = state["step"], step.count == 1 else {
      throw OptimizerStateError(description: "optimizer state has no 'step' entry")
    }
    slots = [:]
    shapes = [:]
    for (k, t) in state where prefixes.contains(where: { k.hasPrefix($0 + ".") }) {
      let s = TensorStorage(zeros: t.count)
      t.scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: t.count) }
      slots[k] = s
      shapes[k] = t.shape
    }
    return Int(step.item())
  }
}
