import Foundation
import XCTest

/// The built `hyperinr` executable (it sits beside the test bundle; or another program by absolute path),
/// run in a folder with 2 threads.
enum CLIProcess {
  static func make(_ args: [String], in dir: URL, environment: [String: String] = [:], executable: String = "hyperinr") -> Process {
    let exe = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(executable)
    let alt = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(executable)
    let p = Process()
    p.executableURL = executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : FileManager.default.isExecutableFile(atPath: exe.path) ? exe : alt
    p.arguments = args
    p.currentDirectoryURL = dir
    var env = ProcessInfo.processInfo.environment
    env["HYPERINR_THREADS"] = "2"
    env.merge(environment) { $1 }
    p.environment = env
    return p
  }

  /// Runs to completion; returns (status, stdout, stderr).
  static func run(_ args: [String], in dir: URL, environment: [String: String] = [:], executable: String = "hyperinr") throws -> (Int32, String, String) {
    let p = make(args, in: dir, environment: environment, executable: executable)
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
  }
}

extension XCTestCase {
  /// Runs `hyperinr args` in `dir` and checks that it fails with exactly one `hyperinr: error:` line that
  /// mentions every one of `parts` (progress lines may precede it: a broken file can be found only when
  /// its batch is decoded).
  func expectOneLineError(_ args: [String], in dir: URL, mentioning parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let (s, _, err) = try CLIProcess.run(args, in: dir)
    XCTAssertNotEqual(s, 0, file: file, line: line)
    let errors = err.split(separator: "\n").filter { $0.hasPrefix("hyperinr: error:") }
    XCTAssertEqual(errors.count, 1, err, file: file, line: line)
    for p in parts { XCTAssert(errors.first?.contains(p) ?? false, "\(p) not in: \(err)", file: file, line: line) }
  }
}
