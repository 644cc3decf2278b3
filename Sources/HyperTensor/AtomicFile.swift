import Foundation

/// A failed file write; the message names the file.
public struct FileWriteError: Error, CustomStringConvertible {
  public let description: String
}

/// Whole-file writes that never leave a half-written file behind: the content goes to a temporary file
/// beside the target, which is then renamed over it.
public enum AtomicFile {
  public static func write(_ data: Data, to url: URL) throws {
    try write(to: url) { tmp in
      do { try data.write(to: tmp) } catch {
        throw FileWriteError(description: "\(url.path): cannot be written (\(error.localizedDescription))")
      }
    }
  }

  /// Calls `body` with the temporary path to fill, then renames it to `url`. On failure the temporary
  /// file is removed and the error rethrown.
  public static func write(to url: URL, _ body: (URL) throws -> Void) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
      try body(tmp)
      guard rename(tmp.path, url.path) == 0 else {
        throw FileWriteError(description: "\(url.path): cannot be replaced (\(String(cString: strerror(errno))))")
      }
    } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw error
    }
  }
}
