/// A problem with an input or output file; the message names the file and what was expected.
public struct SignalError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ path: String, _ what: String) { description = "\(path): \(what)" }
}
