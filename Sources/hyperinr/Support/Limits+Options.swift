import ArgumentParser
import NeuralFields

extension Limits {
  /// Throws the first problem found by `Limits` checks as an argument error (usage line, exit 64).
  static func require(_ problems: String?...) throws {
    if let p = problems.compactMap({ $0 }).first { throw ValidationError(p) }
  }
}
