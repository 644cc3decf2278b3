import Foundation

/// Writes a new folder all at once: `body` fills a hidden sibling folder, which is renamed into place when
/// it returns, and removed when it throws, so a failure leaves no partial output behind.
public enum StagedFolder {
  /// Throws unless `folder` is free (no file or folder there).
  public static func requireNew(_ folder: URL) throws {
    guard !FileManager.default.fileExists(atPath: folder.path) else { throw SignalError(folder.path, "already exists; give a new folder") }
  }

  /// Creates `folder` (which must not exist; its parent folders are created) through `body(staging)`.
  public static func create(_ folder: URL, _ body: (URL) throws -> Void) throws {
    try requireNew(folder)
    let fm = FileManager.default, parent = folder.deletingLastPathComponent()
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).partial-\(getpid())")
    try? fm.removeItem(at: staging)
    do {
      try fm.createDirectory(at: staging, withIntermediateDirectories: false)
      try body(staging)
      try fm.moveItem(at: staging, to: folder)
    } catch {
      try? fm.removeItem(at: staging)
      throw error
    }
  }
}
