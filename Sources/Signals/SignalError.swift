import Foundation
import HyperTensor

/// A problem with an input or output file; the message names the file and what was expected.
public struct SignalError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ path: String, _ what: String) { description = "\(path): \(what)" }

  /// Throws, naming the output file, when `values` hold NaN or infinities (a diverged or corrupt model's
  /// output): the file is not written.
  public static func requireFinite(_ values: Tensor, writing url: URL) throws {
    guard !values.isAllFinite else { return }
    let bad = values.scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
    throw SignalError(url.path, "not written: \(bad) of \(values.count) values are NaN or infinite (the model that produced them is diverged or corrupt)")
  }
}
