import HyperTensor

/// A trainable tensor owned by a module. Its `value` is a leaf of the autograd graph unless frozen.
public final class Parameter {
  public private(set) var value: Tensor
  /// Frozen parameters take no gradients and are skipped by optimizers.
  public var isFrozen: Bool {
    didSet { value = isFrozen ? value.detached() : value.detached().requiringGrad() }
  }

  public init(_ value: Tensor, frozen: Bool = false) {
    isFrozen = frozen
    self.value = frozen ? value.detached() : value.detached().requiringGrad()
  }

  /// Replaces the value (shape must stay the same), as optimizers and checkpoint loading do.
  public func assign(_ newValue: Tensor) {
    precondition(newValue.shape == value.shape, "parameter shape \(value.shape) cannot take \(newValue.shape)")
    value = isFrozen ? newValue.detached() : newValue.detached().requiringGrad()
  }

  public var shape: [Int] { value.shape }
}
