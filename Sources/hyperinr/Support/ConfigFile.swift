import Foundation
import Signals
import Yams

/// YAML configuration files of experiments and training runs, decoded into `Codable` structs. Errors name
/// the file and the key path (`doh.widths[1]: expected Int`); keys the struct does not know are errors too
/// (a misspelt key would otherwise be silently ignored). `overrides` ("train.steps=100") replace values
/// before decoding, so the command line can adjust any setting.
enum ConfigFile {
  static func load<T: Codable>(_ type: T.Type, from path: String, overrides: [String] = []) throws -> T {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw SignalError(path, "cannot be read as a UTF-8 text file")
    }
    var root: Node
    do {
      root = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
    } catch {
      throw SignalError(path, "is not valid YAML: \(error)")
    }
    guard case .mapping = root else { throw SignalError(path, "must be a YAML mapping of settings") }
    for o in overrides { try apply(o, to: &root) }
    let value: T
    do {
      value = try YAMLDecoder().decode(T.self, from: root)
    } catch let e as DecodingError {
      throw SignalError(path, describe(e))
    }
    if let back = try Yams.compose(yaml: YAMLEncoder().encode(value)), let unknown = unknownKey(root, back, "") {
      throw SignalError(path, unknown)
    }
    return value
  }

  /// Sets `a.b.c=value` (value parsed as YAML) in a mapping, creating intermediate mappings.
  private static func apply(_ override: String, to root: inout Node) throws {
    guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
      throw SignalError("--set \(override)", "expected KEY.PATH=VALUE")
    }
    let keys = override[..<eq].split(separator: ".").map(String.init)
    let text = String(override[override.index(after: eq)...])
    guard let value = try? Yams.compose(yaml: text.isEmpty ? "''" : text) else {
      throw SignalError("--set \(override)", "the value is not valid YAML")
    }
    func set(_ node: inout Node, _ path: ArraySlice<String>) throws {
      let key = path.first!
      guard var mapping = node.mapping else { throw SignalError("--set \(override)", "'\(key)' is not inside a mapping") }
      if path.count == 1 {
        mapping[key] = value
      } else {
        var child = mapping[key] ?? Node.mapping(Node.Mapping([]))
        try set(&child, path.dropFirst())
        mapping[key] = child
      }
      node = .mapping(mapping)
    }
    try set(&root, keys[...])
  }

  /// The first key of `given` that the decoded-and-re-encoded `known` lacks, as a message.
  private static func unknownKey(_ given: Node, _ known: Node, _ prefix: String) -> String? {
    switch (given, known) {
    case let (.mapping(g), .mapping(k)):
      for (key, value) in g {
        let name = key.string ?? "?", path = prefix.isEmpty ? name : "\(prefix).\(name)"
        guard let sub = k[key] else {
          if value.null != nil { continue }  // an explicit null decodes like an absent optional
          let allowed = k.keys.compactMap(\.string).joined(separator: ", ")
          return "unknown key '\(path)'" + (allowed.isEmpty ? "" : " (known here: \(allowed))")
        }
        if let found = unknownKey(value, sub, path) { return found }
      }
    case let (.sequence(g), .sequence(k)):
      for (i, (a, b)) in zip(g, k).enumerated() {
        if let found = unknownKey(a, b, "\(prefix)[\(i)]") { return found }
      }
    default:
      break
    }
    return nil
  }

  private static func keyPath(_ path: [CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
  }

  private static func describe(_ e: DecodingError) -> String {
    switch e {
    case .keyNotFound(let key, let ctx):
      return "missing key '\(keyPath(ctx.codingPath + [key]))'"
    case .typeMismatch(let type, let ctx):
      return "'\(keyPath(ctx.codingPath))': expected \(type)"
    case .valueNotFound(let type, let ctx):
      return "'\(keyPath(ctx.codingPath))': expected a value of type \(type)"
    case .dataCorrupted(let ctx):
      return ctx.codingPath.isEmpty ? "is not valid YAML (\(ctx.debugDescription))" : "'\(keyPath(ctx.codingPath))': \(ctx.debugDescription)"
    @unknown default:
      return "\(e)"
    }
  }
}
