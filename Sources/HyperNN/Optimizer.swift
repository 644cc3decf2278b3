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
  /// Computes the gradients of `loss` for `module`'s trainable parameters and applies one update.
  @discardableResult
  public func minimize(_ module: Module, _ loss: () throws -> Tensor) rethrows -> Float {
    let params = module.trainableParameters()
    let l = try loss()
    update(params, gradients: gradients(of: l, wrt: params.map { $0.1.value }))
    return l.item()
  }
}

/// Named per-parameter buffers shared by the optimizers (mutable, owned by the optimizer).
final class SlotBuffers {
  private(set) var slots: [String: TensorStorage] = [:]

  func buffer(_ key: String, count: Int) -> UnsafeMutablePointer<Float> {
    if let s = slots[key], s.count == count { return s.pointer }
    let s = TensorStorage(zeros: count)
    slots[key] = s
    return s.pointer
  }

  func export(_ shapes: [String: [Int]]) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (k, s) in slots {
      let shape = shapes[k] ?? [s.count]
      out[k] = Tensor(shape: shape, scalars: Array(UnsafeBufferPointer(start: s.pointer, count: s.count)))
    }
    return out
  }

  func load(_ state: [String: Tensor], prefixes: [String]) {
    slots = [:]
    for (k, t) in state where prefixes.contains(where: { k.hasPrefix($0 + ".") }) {
      let s = TensorStorage(zeros: t.count)
      t.scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: t.count) }
      slots[k] = s
    }
  }
}

extension Optimizer {
  static func readStep(_ state: [String: Tensor]) throws -> Int {
    guard let s = state["step"], s.count == 1 else {
      throw OptimizerStateError(description: "optimizer state has no 'step' entry")
    }
    return Int(s.item())
  }
}
