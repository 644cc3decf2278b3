import ArgumentParser
import Dispatch
import Foundation
import HyperTensor
import Signals

/// Terminal output of long-running commands: progress lines with ETA on stderr, Ctrl-C handling, and the
/// one-line error report of failures.
enum Console {
  static let isTTY = isatty(STDERR_FILENO) != 0

  static func error(_ message: String) {
    FileHandle.standardError.write(Data("hyperinr: error: \(message)\n".utf8))
  }

  /// Runs a command body: argument errors and exit codes pass through; any other error becomes one
  /// `hyperinr: error: ...` line and exit status 1.
  static func reportingErrors(_ body: () throws -> Void) throws {
    do {
      try body()
    } catch let e as ExitCode {
      throw e
    } catch let e as ValidationError {
      throw e
    } catch {
      Console.error(describe(error))
      throw ExitCode(1)
    }
  }

  /// One line for an error: a file-system error (Foundation's NSError dump otherwise) as "PATH: reason"
  /// (disk full as disk full); everything else as it describes itself.
  static func describe(_ error: Error) -> String {
    let ns = error as NSError
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    guard let path, let reason = FileWriteError.reason(error, path: path) else { return String(describing: error) }
    return "\(path): \(reason)"
  }

  static func note(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }

  /// "1m 05s" style durations.
  static func duration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s.rounded())
    return t >= 60 ? String(format: "%dm %02ds", t / 60, t % 60) : String(format: "%.1fs", s)
  }
}

/// Throttled progress: rewrites one line on a terminal (every 0.1 s), prints a line every 5 s otherwise.
final class ProgressPrinter {
  private var last = -1e9
  private let interval: Double

  init() { interval = Console.isTTY ? 0.1 : 5 }

  /// `firstStep`: the step this session started from (a resumed run), so rate and ETA count only the
  /// steps timed here.
  func update(step: Int, of total: Int, elapsed: Double, fields: String, force: Bool = false, firstStep: Int = 0) {
    guard force || elapsed - last >= interval || step == total else { return }
    last = elapsed
    let rate = Double(step - firstStep) / max(elapsed, 1e-9)
    let eta = Double(total - step) / max(rate, 1e-9)
    let line = String(format: "step %d/%d  %@  %.1f it/s  elapsed %@  ETA %@", step, total, fields, rate,
                      Console.duration(elapsed), Console.duration(eta))
    FileHandle.standardError.write(Data((Console.isTTY ? "\r\u{1B}[K" + line : line + "\n").utf8))
  }

  func finish() { if Console.isTTY { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// Ctrl-C (SIGINT) sets a flag that training loops poll, so they can write a checkpoint and stop.
enum Interrupt {
  nonisolated(unsafe) private static var flag = false
  nonisolated(unsafe) private static var source: DispatchSourceSignal?

  static var requested: Bool { flag }

  static func install() {
    signal(SIGINT, SIG_IGN)
    let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    s.setEventHandler {
      if flag { exit(130) }  // a second Ctrl-C stops at once
      flag = true
      Console.note("\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to abort)")
    }
    s.resume()
    source = s
  }
}

/// Early checks of output locations, so that a long run does not fail at its end and never replaces an
/// input: every output's folder must exist and be writable, an existing output must be a regular file (not
/// a folder or a device such as /dev/null), and no output may be one of the inputs or another output (the
/// same file by device and inode, also through links, or the same path).
enum OutputPath {
  static func check(_ outputs: [URL], inputs: [URL]) throws {
    var taken = inputs.map { ($0, identity($0)) }
    for url in outputs {
      let dir = url.deletingLastPathComponent().path
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw SignalError(url.path, "its folder \(dir) does not exist")
      }
      guard FileManager.default.isWritableFile(atPath: dir) else { throw SignalError(url.path, "its folder \(dir) is not writable") }
      var st = stat()
      if stat(url.path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
        throw SignalError(url.path, "is not a regular file (a folder or a device); give a file path to write")
      }
      let id = identity(url)
      if let (other, _) = taken.first(where: { $0.0.standardizedFileURL.path == url.standardizedFileURL.path || (id != nil && $0.1 == id) }) {
        throw SignalError(url.path, "is also \(inputs.contains(other) ? "the input" : "an output") \(other.path); choose another file")
      }
      taken.append((url, id))
    }
  }

  /// Refuses a run folder that cannot be one: an existing file, or a path below a file or an unwritable
  /// folder. Nothing is created (the caller creates the folder once its inputs have loaded).
  static func checkFolder(_ url: URL) throws {
    var probe = url.standardizedFileURL
    var st = stat()
    while stat(probe.path, &st) != 0 {
      guard errno == ENOENT, probe.path != "/" else { throw SignalError(url.path, "cannot be created: \(String(cString: strerror(errno)))") }
      probe.deleteLastPathComponent()
    }
    guard st.st_mode & S_IFMT == S_IFDIR else {
      throw SignalError(url.path, probe.path == url.standardizedFileURL.path ? "is a file, expected a run folder"
                          : "cannot be created: \(probe.path) is a file, not a folder")
    }
    guard access(probe.path, W_OK) == 0 else { throw SignalError(url.path, "cannot be created: \(probe.path) is not writable") }
  }

  /// Device and inode of an existing file (nil if there is none).
  private static func identity(_ url: URL) -> [UInt64]? {
    var st = stat()
    guard stat(url.path, &st) == 0 else { return nil }
    return [UInt64(st.st_dev), UInt64(st.st_ino)]
  }
}
