import Foundation
import XCTest

enum Fixture {
  static func url(_ name: String) -> URL {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
  }

  static func json(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
  }

  /// ../shared/data relative to the package root, or nil (the test then skips with a message).
  static var sharedData: URL? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let d = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    return FileManager.default.fileExists(atPath: d.path) ? d : nil
  }

  static func requireSharedData() throws -> URL {
    guard let d = sharedData else { throw XCTSkip("../shared/data is absent: real-data checks skipped") }
    return d
  }

  static func temporaryDirectory() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }
}
