import Foundation
import HyperTensor
import Signals

/// The ranges of every size and rate a user sets (command-line options, config values) or a file declares:
/// one definition for every command, config and loader, far above any sensible use and low enough that no
/// allocation overflows or exhausts memory unchecked. Each check returns nil or one "NAME must be in ..."
/// line.
public enum Limits {
  public static let hiddenLayers = 1...64
  public static let width = 1...4096
  /// Fourier-feature frequencies per coordinate.
  public static let frequencies = 1...1024
  /// SIREN positional-encoding octaves.
  public static let positionalFrequencies = 0...20
  public static let steps = 1...100_000_000
  /// Coordinates per fitting step (0: all).
  public static let coordinateBatch = 0...(1 << 24)
  /// Signals per training step.
  public static let signalBatch = 1...4096
  /// Steps between checkpoints (0: only at the end).
  public static let checkpointEvery = 0...100_000_000
  /// Decoded sample rates (Hz).
  public static let sampleRate = 1...384_000
  /// Shape decoding grid per axis.
  public static let resolution = 2...512
  /// Decoded image pixels (width x height).
  public static let pixels = 1...(1 << 26)
  /// Decoded audio frames.
  public static let audioFrames = 1...(1 << 26)
  /// Rendered views per object, their side in pixels, and rays per pixel along each axis.
  public static let views = 1...MultiViewScene.frameLimit
  public static let viewSize = 1...4096
  public static let raysPerPixelAxis = 1...8

  /// nil if `bytes` fits the memory budget (HYPERINR_MEMORY_MB, default half the physical memory), else
  /// one line saying what would need how much, and `advice`.
  public static func checkMemory(_ bytes: Int, for what: String, advice: String) -> String? {
    EnvironmentSettings.memoryProblem(bytes, for: what, advice: advice)
  }

  /// nil if `value` is in `range`, else "NAME must be in LO...HI, got VALUE".
  public static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
    range.contains(value) ? nil : "\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)"
  }

  /// nil if `value` is finite and above 0 (and at most `max`), else a line saying so.
  public static func checkPositive<F: BinaryFloatingPoint>(_ name: String, _ value: F, max: F? = nil) -> String? {
    guard value.isFinite, value > 0 else { return "\(name) must be a positive finite number, got \(value)" }
    if let max, value > max { return "\(name) must be at most \(max), got \(value)" }
    return nil
  }
}
