import Foundation
import HyperTensor

/// A module whose forward pass draws random numbers (dropout): its generator is part of a run's state.
public protocol RandomStreamOwner: Module {
  var rng: RandomGenerator { get set }
}

/// The state of a training run as one safetensors file, shared by every trainer (per-signal fits and
/// hypernetwork training): the module's parameters, the optimizer's moments ("optimizer.*"), the step, and
/// every random stream the run draws from — the trainer's own (a pixel sampler, say) and those of the
/// module's dropout layers — so a resumed run continues with exactly the numbers an uninterrupted one
/// would have drawn. Metadata: "hyperinr.step", "hyperinr.rng" (the trainer's stream),
/// "hyperinr.rng.<module path>" (module streams), plus the trainer's own entries.
public struct TrainingCheckpoint {
  public var step: Int
  /// The trainer's random stream.
  public var rng: RandomGenerator
  /// The trainer's own metadata (configuration, data position, format).
  public var metadata: [String: String]

  public init(step: Int, rng: RandomGenerator, metadata: [String: String]) {
    self.step = step
    self.rng = rng
    self.metadata = metadata
  }

  /// Writes `module`'s parameters and random streams, `optimizer`'s state and this state atomically.
  public func write(module: Module, optimizer: Optimizer?, to url: URL) throws {
    var tensors = module.namedParameters().map { ($0.0, $0.1.value) }
    tensors += (optimizer?.stateTensors() ?? [:]).sorted { $0.key < $1.key }.map { ("optimizer.\($0.key)", $0.value) }
    var meta = metadata
    meta["hyperinr.step"] = String(step)
    meta["hyperinr.rng"] = Self.text(rng)
    for (name, owner) in Self.streams(of: module) { meta["hyperinr.rng.\(name)"] = Self.text(owner.rng) }
    try SafeTensors.write(tensors, metadata: meta, to: url)
  }

  /// Reads the step and the trainer's stream of `file`, and restores into `module` its parameters and
  /// random streams and into `optimizer` its state. Errors name `path`.
  public static func restore(_ file: SafeTensors.File, path: String, module: Module, optimizer: Optimizer?) throws -> TrainingCheckpoint {
    guard let step = file.metadata["hyperinr.step"].flatMap({ Int($0) }), step >= 0,
          let rng = file.metadata["hyperinr.rng"].flatMap(generator) else {
      throw SafeTensorsError(path, "not a resumable checkpoint (no training state: hyperinr.step, hyperinr.rng)")
    }
    try module.load(file.dictionary, options: LoadOptions(allowUnused: true), source: path)
    for (name, owner) in streams(of: module) {
      // Checkpoints written before module streams were saved resume with the module's initial streams.
      if let text = file.metadata["hyperinr.rng.\(name)"] {
        guard let g = generator(text) else { throw SafeTensorsError(path, "malformed hyperinr.rng.\(name)") }
        owner.rng = g
      }
    }
    if let optimizer {
      var state: [String: Tensor] = [:]
      for (k, v) in file.tensors where k.hasPrefix("optimizer.") { state[String(k.dropFirst("optimizer.".count))] = v }
      do {
        try optimizer.loadState(state)
      } catch {
        throw SafeTensorsError(path, "\(error)")
      }
    }
    return TrainingCheckpoint(step: step, rng: rng, metadata: file.metadata)
  }

  /// The random-stream owners among `module` and its descendants, by dotted path.
  static func streams(of module: Module, prefix: String = "") -> [(String, any RandomStreamOwner)] {
    var out: [(String, any RandomStreamOwner)] = []
    if let owner = module as? any RandomStreamOwner { out.append((prefix.isEmpty ? "self" : prefix, owner)) }
    for (name, child) in module.children { out += streams(of: child, prefix: prefix.isEmpty ? name : "\(prefix).\(name)") }
    return out
  }

  static func text(_ g: RandomGenerator) -> String { [g.state.0, g.state.1, g.state.2, g.state.3].map(String.init).joined(separator: ",") }

  static func generator(_ text: String) -> RandomGenerator? {
    let w = text.split(separator: ",").compactMap { UInt64($0) }
    return w.count == 4 && w.contains(where: { $0 != 0 }) ? RandomGenerator(state: (w[0], w[1], w[2], w[3])) : nil
  }
}
