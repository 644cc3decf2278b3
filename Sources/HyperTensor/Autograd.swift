import Foundation

/// One node of the reverse-mode autograd graph. Leaves have no backward rule.
final class GradNode {
  let inputs: [GradNode?]
  /// Maps the output gradient to the input gradients; `needs[i]` says whether input i wants one.
  let backward: ((Tensor, [Bool]) -> [Tensor?])?

  init() {
    inputs = []
    backward = nil
  }

  init(inputs: [GradNode?], backward: @escaping (Tensor, [Bool]) -> [Tensor?]) {
    self.inputs = inputs
    self.backward = backward
  }
}

/// Whether operations record the autograd graph — per thread (a data-loader thread building tensors never
/// races the training thread's switch), enabled on every thread until a `withoutGradients` scope. Graphs are
/// built and walked on one thread at a time.
public enum GradMode {
  /// The thread-local flag: no value (the default of every thread) means enabled.
  private static let disabledKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "GradMode: no thread-local key")
    return key
  }()

  public static var isEnabled: Bool { pthread_getspecific(disabledKey) == nil }

  private static func set(_ enabled: Bool) { pthread_setspecific(disabledKey, enabled ? nil : UnsafeRawPointer(bitPattern: 1)) }

  /// Runs `body` without recording gradients.
  public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T { try with(enabled: false, body) }

  static func with<T>(enabled: Bool, _ body: () throws -> T) rethrows -> T {
    let old = isEnabled
    set(enabled)
    defer { set(old) }
    return try body()
  }
}

extension Tensor {
  /// Defines a custom differentiable operation: `value` (computed by the caller without recording) becomes
  /// the result, and `backward(g, needs)` returns the gradient of each input (nil where not needed). The
  /// rule is differentiated again only if it is itself written with tensor operations.
  public static func recording(_ value: Tensor, inputs: [Tensor],
                               backward: @escaping (Tensor, [Bool]) -> [Tensor?]) -> Tensor {
    result(value.shape, value.storage, inputs, backward)
  }

  /// The result of an operation: records `backward` when gradients are on and an input requires them.
  static func result(_ shape: [Int], _ storage: TensorStorage, _ inputs: [Tensor],
                     _ backward: @escaping (Tensor, [Bool]) -> [Tensor?]) -> Tensor {
    guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else {
      return Tensor(shape: shape, storage: storage)
    }
    return Tensor(shape: shape, storage: storage, node: GradNode(inputs: inputs.map(\.node), backward: backward))
  }
}

/// Gradients of `output` with respect to each tensor in `inputs` (reverse-mode accumulation).
///
/// `output` must have one element unless `seed` (the gradient of some scalar with respect to `output`)
/// is given. With `createGraph` the backward pass itself is recorded, so the returned gradients can be
/// differentiated again (gradients of gradients, as MAML needs). Inputs that `output` does not depend on
/// get zero gradients.
public func gradients(of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil,
                      createGraph: Bool = false) -> [Tensor] {
  let zeros = { inputs.map { Tensor.zeros($0.shape) } }
  guard let root = output.node else { return zeros() }
  precondition(seed != nil || output.count == 1, "gradients(of:) needs a scalar output or a seed; shape \(output.shape)")
  if let s = seed { precondition(s.shape == output.shape, "seed shape \(s.shape) != output shape \(output.shape)") }
  let targets = Set(inputs.compactMap(\.gradID))

  // Post-order DFS (iterative), marking the nodes from which some target is reachable.
  var order: [GradNode] = []
  var needed: [ObjectIdentifier: Bool] = [:]
  var stack: [(GradNode, Int)] = [(root, 0)]
  var visiting: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
  while let (node, next) = stack.popLast() {
    if next < node.inputs.count {
      stack.append((node, next + 1))
      if let child = node.inputs[next], !visiting.contains(ObjectIdentifier(child)) {
        visiting.insert(ObjectIdentifier(child))
        stack.append((child, 0))
      }
      continue
    }
    let id = ObjectIdentifier(node)
    needed[id] = targets.contains(id) || node.inputs.contains { $0.map { needed[ObjectIdentifier($0)] ?? false } ?? false }
    order.append(node)
  }

  var grads: [ObjectIdentifier: Tensor] = [:]
  var results: [ObjectIdentifier: Tensor] = [:]
  GradMode.with(enabled: createGraph) {
    grads[ObjectIdentifier(root)] = seed ?? Tensor.ones(output.shape)
    for node in order.reversed() {
      let id = ObjectIdentifier(node)
      guard needed[id] == true, let g = grads.removeValue(forKey: id) else { continue }
      if targets.contains(id) { results[id] = g }
      guard let backward = node.backward else { continue }
      let needs = node.inputs.map { $0.map { needed[ObjectIdentifier($0)] ?? false } ?? false }
      let inputGrads = backward(g, needs)
      for (child, cg) in zip(node.inputs, inputGrads) {
        guard let child, let cg, needed[ObjectIdentifier(child)] == true else { continue }
        let cid = ObjectIdentifier(child)
        grads[cid] = grads[cid].map { $0 + cg } ?? cg
      }
    }
  }
  return inputs.map { x in x.gradID.flatMap { results[$0] } ?? Tensor.zeros(x.shape) }
}
