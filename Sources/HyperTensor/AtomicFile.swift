import Foundation

/// A failed file write; the message names the file.
public struct FileWriteError: Error, CustomStringConvertible {
  public let description: String

  /// The reason of a Foundation file error in a few words ("no space left on device", "permission
  /// denied", "is a folder, expected a file"), nil for other errors.
  public static func reason(_ error: Error, path: String? = nil) -> String? {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
    let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0.code : nil }
      ?? (ns.domain == NSPOSIXErrorDomain ? ns.code : nil)
    if let posix { return String(cString: strerror(Int32(posix))).lowercased() }
    var isDir: ObjCBool = false
    if let path, FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return "is a folder, expected a file" }
    switch CocoaError.Code(rawValue: ns.code) {
    case .fileReadNoSuchFile, .fileNoSuchFile: return "does not exist"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on device"
    default: return ns.localizedDescription
    }
  }
}

/// Whole-file writes that never leave a half-written file behind: the content goes to a temporary file
/// beside the target, which is then renamed over it.
public enum AtomicFile {
  public static func write(_ data: Data, to url: URL) throws {
    try write(to: url) { tmp in
      do { try data.write(to: tmp) } catch {
        throw FileWriteError(description: "\(url.path): cannot be written (\(FileWriteError.reason(error) ?? "\(error)"))")
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
