import Foundation
import Signals
import Yams

/// YAML configuration files of experiments and training runs, decoded into `Decodable` structs with
/// errors that name the file and the key path (`doh.widths[1]: expected Int`).
enum ConfigFile {
  static func load<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw SignalError(path, "cannot be read as a UTF-8 text file")
    }
    do {
      return try YAMLDecoder().decode(T.self, from: text)
    } catch let e as DecodingError {
      throw SignalError(path, describe(e))
    } catch {
      throw SignalError(path, "is not valid YAML: \(error)")
    }
  }

  private static func keyPath(_ path: [CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
  }

  private static func describe(_ e: DecodingError) -> String {
    switch e {
    case .keyNotFound(let key, let ctx):
      let at = keyPath(ctx.codingPath + [key])
      return "missing key '\(at)'"
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
