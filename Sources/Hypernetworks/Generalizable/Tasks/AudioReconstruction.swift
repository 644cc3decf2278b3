import Foundation
import HyperTensor
import NeuralFields
import Signals

/// Audio regression (IPC Sec. 4.3): mono clips of `length` samples in [-1, 1] at one sample rate,
/// coordinates of the sample times in [-1, 1]; scored by PSNR relative to the range 2. With
/// `normalizePeak` every clip is scaled to peak 1 first (and scored at that scale).
public struct AudioReconstruction: GridTask {
  public var length: Int
  public var sampleRate: Int
  /// Regular expressions on file names choosing the training and test clips (nil: every clip).
  public var trainPattern: String?
  public var testPattern: String?
  public var normalizePeak: Bool
  public let coords: Tensor

  public init(length: Int, sampleRate: Int, trainPattern: String?, testPattern: String?, normalizePeak: Bool = false) {
    self.length = length
    self.sampleRate = sampleRate
    self.trainPattern = trainPattern
    self.testPattern = testPattern
    self.normalizePeak = normalizePeak
    coords = CoordinateGrid.audio(frames: length)
  }

  public var grid: [Int] { [length] }
  public var channels: Int { 1 }
  public var outputBias: Float { 0 }
  public var range: Float { 2 }
  public var info: FieldSignal.Info { FieldSignal.Info(kind: .audio, size: [length], channels: 1, sampleRate: sampleRate) }

  public func open(_ path: String, test: Bool) throws -> any SignalSet {
    try AudioFolder.open(path, length: length, sampleRate: sampleRate, pattern: test ? testPattern : trainPattern, normalizePeak: normalizePeak)
  }

  public func load(_ url: URL, seed: UInt64) throws -> Tensor {
    try AudioFolder(files: [url], length: length, sampleRate: sampleRate, normalizePeak: normalizePeak).item(0)
  }

  public func scores(_ reconstructions: Tensor, _ signals: Tensor) -> [SignalScore] {
    (0..<signals.shape[0]).map { i in
      let a = reconstructions.slice(axis: 0, i, i + 1), b = signals.slice(axis: 0, i, i + 1)
      let mse = Double((a - b).squaredNorm()) / Double(b.count)
      return SignalScore(psnr: 10 * Foundation.log10(Double(range * range) / max(mse, 1e-20)), ssim: nil)
    }
  }
}
