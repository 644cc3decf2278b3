import Foundation
import HyperTensor

/// An audio data set: every .wav below a folder (recursively, sorted by path) or in a list file, optionally
/// only the files whose name matches a regular expression, each a mono clip at one expected sample rate,
/// cut or zero-padded to `length` samples from its start, and optionally scaled to peak 1.
public struct AudioFolder: SignalSet {
  public let files: [URL]
  public let length: Int
  public let sampleRate: Int
  /// Scale every clip (after cutting) so that its largest |sample| is 1; a silent clip stays silent.
  public let normalizePeak: Bool

  public init(files: [URL], length: Int, sampleRate: Int, normalizePeak: Bool = false) throws {
    guard !files.isEmpty else { throw SignalError("(file list)", "is empty") }
    self.files = files
    self.length = length
    self.sampleRate = sampleRate
    self.normalizePeak = normalizePeak
  }

  /// A folder (searched recursively for .wav) or a text file listing one WAV per line (relative to the
  /// list's folder; blank lines and # comments skipped), keeping the files whose name matches `pattern`.
  public static func open(_ path: String, length: Int, sampleRate: Int, pattern: String? = nil,
                          normalizePeak: Bool = false) throws -> AudioFolder {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw SignalError(path, "does not exist") }
    var files: [URL]
    if isDir.boolValue {
      guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: nil) else {
        throw SignalError(path, "cannot be listed")
      }
      files = []
      for case let u as URL in walker where u.pathExtension.lowercased() == "wav" { files.append(u) }
      files.sort { $0.path < $1.path }
    } else {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw SignalError(path, "is not a readable text list of WAV files") }
      let base = URL(fileURLWithPath: path).deletingLastPathComponent()
      files = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        .map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : base.appendingPathComponent($0) }
    }
    if let pattern {
      guard let re = try? NSRegularExpression(pattern: pattern) else { throw SignalError(pattern, "is not a valid regular expression") }
      files = files.filter { f in
        let name = f.lastPathComponent
        return re.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
      }
    }
    guard !files.isEmpty else {
      throw SignalError(path, "contains no .wav files" + (pattern.map { " whose name matches \($0)" } ?? ""))
    }
    return try AudioFolder(files: files, length: length, sampleRate: sampleRate, normalizePeak: normalizePeak)
  }

  public var count: Int { files.count }

  /// Clip i as [length, 1] (peak 1 when `normalizePeak`): mono at `sampleRate`, else an error naming the file.
  public func item(_ i: Int) throws -> Tensor {
    let w = try Waveform.load(files[i])
    guard w.sampleRate == sampleRate else {
      throw SignalError(files[i].path, "has sample rate \(w.sampleRate) Hz, expected \(sampleRate) Hz (data.sampleRate)")
    }
    guard w.channels == 1 else { throw SignalError(files[i].path, "has \(w.channels) channels, expected mono") }
    let clip = w.frames >= length ? w.samples.slice(axis: 0, 0, length)
      : Tensor.concat([w.samples, Tensor.zeros([length - w.frames, 1])], axis: 0)
    guard normalizePeak, let peak = clip.scalars.map(Swift.abs).max(), peak > 0 else { return clip }
    return clip * (1 / peak)
  }

  public func batch(_ indices: [Int], seed: UInt64) throws -> Tensor { Tensor.stack(try indices.map(item)) }
}
