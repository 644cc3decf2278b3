import HyperTensor

/// Base class of layers. Parameters and sub-modules are registered explicitly under names, and
/// `namedParameters()` yields dotted keys ("blocks.0.attn.qkv.weight") in registration order, as public
/// checkpoints name them.
open class Module {
  public private(set) var ownParameters: [(String, Parameter)] = []
  public private(set) var children: [(String, Module)] = []
  /// Training mode (dropout active); set recursively with `train(_:)`.
  public private(set) var isTraining = true

  public init() {}

  /// Registers a parameter under `name` and returns it.
  @discardableResult
  public func register(_ name: String, _ p: Parameter) -> Parameter {
    precondition(!ownParameters.contains { $0.0 == name } && !children.contains { $0.0 == name },
                 "duplicate name \(name)")
    ownParameters.append((name, p))
    return p
  }

  /// Registers a parameter holding `value`.
  public func parameter(_ name: String, _ value: Tensor) -> Parameter { register(name, Parameter(value)) }

  /// Registers a sub-module under `name` and returns it.
  @discardableResult
  public func register<M: Module>(_ name: String, _ m: M) -> M {
    precondition(!ownParameters.contains { $0.0 == name } && !children.contains { $0.0 == name },
                 "duplicate name \(name)")
    children.append((name, m))
    return m
  }

  /// All parameters with dotted names, depth first in registration order.
  public func namedParameters() -> [(String, Parameter)] {
    var out = ownParameters
    for (name, child) in children {
      out += child.namedParameters().map { ("\(name).\($0.0)", $0.1) }
    }
    return out
  }

  /// Parameters that take gradients.
  public func trainableParameters() -> [(String, Parameter)] { namedParameters().filter { !$0.1.isFrozen } }

  /// Number of scalar parameters (all, or only trainable ones).
  public func parameterCount(trainableOnly: Bool = false) -> Int {
    (trainableOnly ? trainableParameters() : namedParameters()).reduce(0) { $0 + $1.1.value.count }
  }

  /// Freezes (or unfreezes) every parameter whose name starts with `prefix` ("" = all); returns how many.
  @discardableResult
  public func freeze(prefix: String, _ frozen: Bool = true) -> Int {
    var n = 0
    for (name, p) in namedParameters() where prefix.isEmpty || name == prefix || name.hasPrefix(prefix.hasSuffix(".") ? prefix : prefix + ".") {
      p.isFrozen = frozen
      n += 1
    }
    return n
  }

  /// Sets training mode on this module and all descendants.
  public func train(_ on: Bool = true) {
    isTraining = on
    for (_, c) in children { c.train(on) }
  }

  /// The parameter values by name.
  public func stateDict() -> [String: Tensor] {
    Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.0, $0.1.value.detached()) })
  }
}

/// A differentiable map from one tensor to another.
public protocol Layer: Module {
  func callAsFunction(_ x: Tensor) -> Tensor
}

/// The loss and its gradients with respect to `module`'s trainable parameters (in `trainableParameters()` order).
public func valueAndGradients(of module: Module, _ loss: () throws -> Tensor) rethrows -> (Tensor, [Tensor]) {
  let params = module.trainableParameters()
  let l = try loss()
  return (l.detached(), gradients(of: l, wrt: params.map { $0.1.value }))
}
