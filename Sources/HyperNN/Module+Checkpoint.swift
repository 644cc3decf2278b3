import Foundation
import HyperTensor

/// What `Module.load` tolerates. Shape mismatches are always errors.
public struct LoadOptions: Sendable {
  /// Accept module parameters absent from the file (they keep their values).
  public var allowMissing: Bool
  /// Accept file tensors that match no parameter.
  public var allowUnused: Bool
  public init(allowMissing: Bool = false, allowUnused: Bool = false) {
    self.allowMissing = allowMissing
    self.allowUnused = allowUnused
  }
  public static let strict = LoadOptions()
}

/// What a load did.
public struct LoadReport: Sendable, Equatable {
  public var loaded: [String]
  public var missing: [String]
  public var unused: [String]
}

/// A checkpoint that does not fit a module.
public struct CheckpointError: Error, CustomStringConvertible {
  public let description: String
}

extension Module {
  /// Assigns parameters from named tensors (optionally under `prefix`), verified per `options`.
  @discardableResult
  public func load(_ tensors: [String: Tensor], prefix: String = "", options: LoadOptions = .strict,
                   source: String = "checkpoint") throws -> LoadReport {
    let params = namedParameters()
    var report = LoadReport(loaded: [], missing: [], unused: [])
    var problems: [String] = []
    for (name, p) in params {
      guard let t = tensors[prefix + name] else { report.missing.append(name); continue }
      if t.shape != p.shape {
        problems.append("'\(prefix + name)' has shape \(t.shape), the model expects \(p.shape)")
        continue
      }
      report.loaded.append(name)
    }
    let known = Set(params.map { prefix + $0.0 })
    report.unused = tensors.keys.filter { $0.hasPrefix(prefix) && !known.contains($0) }.sorted()
    if !options.allowMissing && !report.missing.isEmpty {
      problems.append("missing \(report.missing.count) parameter(s): \(report.missing.prefix(5).joined(separator: ", "))")
    }
    if !options.allowUnused && !report.unused.isEmpty {
      problems.append("\(report.unused.count) unused tensor(s): \(report.unused.prefix(5).joined(separator: ", "))")
    }
    if !problems.isEmpty { throw CheckpointError(description: "\(source): " + problems.joined(separator: "; ")) }
    let byName = Dictionary(uniqueKeysWithValues: params)
    for name in report.loaded { byName[name]!.assign(tensors[prefix + name]!) }
    return report
  }

  /// Loads a safetensors file into this module.
  @discardableResult
  public func load(contentsOf url: URL, options: LoadOptions = .strict) throws -> LoadReport {
    try load(SafeTensors.read(url).dictionary, options: options, source: url.path)
  }

  /// Saves all parameters (F32) with string metadata, atomically.
  public func save(to url: URL, metadata: [String: String] = [:]) throws {
    try SafeTensors.write(namedParameters().map { ($0.0, $0.1.value) }, metadata: metadata, to: url)
  }
}
