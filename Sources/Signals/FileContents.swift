import Foundation

/// Reads of untrusted input files with one-line errors ("PATH: does not exist", "PATH: is a folder, ...")
/// and no Foundation detour: FileManager.contents(atPath:) leaks its 4 KiB buffer on an empty file (found
/// by the WAV fuzz target), FileHandle.readData traps on a folder, and Data(contentsOf:) errors print as
/// NSError dumps.
public enum FileContents {
  /// The bytes of the regular file at `url`.
  public static func read(_ url: URL) throws -> Data { try read(url, upTo: nil) }

  /// The first `count` bytes (fewer if the file is shorter) of the regular file at `url`.
  public static func head(_ url: URL, count: Int) throws -> Data { try read(url, upTo: count) }

  private static func read(_ url: URL, upTo limit: Int?) throws -> Data {
    let fd = open(url.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SignalError(url.path, reason(errno)) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw SignalError(url.path, reason(errno)) }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw SignalError(url.path, (st.st_mode & S_IFMT) == S_IFDIR ? "is a folder, expected a file" : "is not a regular file")
    }
    var data = Data(count: min(Int(st.st_size), limit ?? .max))
    var got = 0
    try data.withUnsafeMutableBytes { (buf: UnsafeMutableRawBufferPointer) in
      while got < buf.count {
        let n = Foundation.read(fd, buf.baseAddress! + got, buf.count - got)
        if n < 0, errno == EINTR { continue }
        guard n >= 0 else { throw SignalError(url.path, reason(errno)) }
        if n == 0 { break }
        got += n
      }
    }
    return got == data.count ? data : data.prefix(got)
  }

  private static func reason(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "does not exist"
    case EACCES, EPERM: return "permission denied"
    case EISDIR: return "is a folder, expected a file"
    default: return String(cString: strerror(code))
    }
  }
}
