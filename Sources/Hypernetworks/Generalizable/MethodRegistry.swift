import HyperNN
import HyperTensor
import NeuralFields

/// What a method is built from besides its own settings.
public struct MethodContext {
  public var task: any INRTask
  public var hyponet: HypoNet
  /// Models see a context subset of each signal (the tokenizers then also see the mask).
  public var partial: Bool
  /// The beta of the probabilistic INR's beta-NLL loss (0: plain NLL).
  public var nllBeta: Float

  public init(task: any INRTask, hyponet: HypoNet, partial: Bool = false, nllBeta: Float = 0) {
    self.task = task
    self.hyponet = hyponet
    self.partial = partial
    self.nllBeta = nllBeta
  }

  /// The data tokens' patches of what the task observes: its channels, plus the observation mask when partial.
  public func patches(_ patch: Int) -> GridPatches {
    GridPatches(grid: task.observedGrid, channels: task.observedChannels + (partial ? 1 : 0), patch: patch)
  }

  public var objective: Objective { Objective(hyponet: hyponet, nllBeta: nllBeta, rendering: task.rendering) }
}

/// A method that can be named in a training config: its settings section, their checks, and how it is
/// built. Registering one is a line in `MethodRegistry.methods`.
public protocol RegisteredMethod: GeneralizableINR {
  associatedtype Settings: Codable, Equatable, Sendable
  /// The config section that holds the settings (e.g. `transINR`).
  static var settingsKey: String { get }
  /// Problems with `settings` for `context`, as "key: what is expected" lines.
  static func problems(_ settings: Settings, _ context: MethodContext) -> [String]
  init(_ settings: Settings, _ context: MethodContext, rng: inout RandomGenerator)
}

/// The methods a training config can name (`method: ...`), each with its settings section.
public enum MethodRegistry {
  public static let methods: [String: MethodEntry] = [
    "trans-inr": MethodEntry(TransINR.self),
    "learned-init": MethodEntry(LearnedInit.self),
    "ipc": MethodEntry(IPC.self),
    "ipc-meta": MethodEntry(MetaIPC.self),
  ]

  public static var names: String { methods.keys.sorted().joined(separator: ", ") }

  /// The entry of `name`, or an error listing the known names.
  public static func entry(_ name: String) throws -> MethodEntry {
    guard let e = methods[name] else { throw ConfigError("method: unknown method '\(name)' (known: \(names))") }
    return e
  }
}

/// A registered method with its settings type erased.
public struct MethodEntry: Sendable {
  public let settingsKey: String
  let decode: @Sendable (KeyedDecodingContainer<ConfigKey>) throws -> MethodSettings?
  let problems: @Sendable (MethodSettings, MethodContext) -> [String]
  let make: @Sendable (MethodSettings, MethodContext, inout RandomGenerator) -> (any GeneralizableINR)?

  init<M: RegisteredMethod>(_ method: M.Type) {
    let key = M.settingsKey
    settingsKey = key
    decode = { c in try c.decodeIfPresent(M.Settings.self, forKey: ConfigKey(key)).map { MethodSettings(key: key, $0) } }
    problems = { s, c in (s.value as? M.Settings).map { M.problems($0, c) } ?? ["\(key): settings of another method"] }
    make = { s, c, rng in (s.value as? M.Settings).map { M(($0), c, rng: &rng) } }
  }
}

/// One method's settings, type-erased so that `TrainingConfig` can hold any method's section.
public struct MethodSettings: Equatable, @unchecked Sendable {
  public let key: String
  public let value: Any
  private let encodeValue: (inout KeyedEncodingContainer<ConfigKey>) throws -> Void
  private let equals: (Any) -> Bool

  public init<S: Codable & Equatable & Sendable>(key: String, _ value: S) {
    self.key = key
    self.value = value
    encodeValue = { try $0.encode(value, forKey: ConfigKey(key)) }
    equals = { ($0 as? S) == value }
  }

  func encode(to c: inout KeyedEncodingContainer<ConfigKey>) throws { try encodeValue(&c) }

  public static func == (a: MethodSettings, b: MethodSettings) -> Bool { a.key == b.key && a.equals(b.value) }
}

/// A config key known only at run time (a method's settings section).
public struct ConfigKey: CodingKey {
  public var stringValue: String
  public var intValue: Int? { nil }
  public init(_ s: String) { stringValue = s }
  public init?(stringValue: String) { self.stringValue = stringValue }
  public init?(intValue: Int) { nil }
}

/// A configuration that cannot be used, as "key: what is expected".
public struct ConfigError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
