import Foundation
import HyperTensor
import NeuralFields
import Signals

/// The quality of one reconstruction: PSNR in dB relative to the signal's range, SSIM for images, and
/// for a probabilistic INR its NLL and calibration.
public struct SignalScore: Sendable {
  public var psnr: Double
  public var ssim: Double?
  public var calibration: Calibration?

  public init(psnr: Double, ssim: Double?, calibration: Calibration? = nil) {
    self.psnr = psnr
    self.ssim = ssim
    self.calibration = calibration
  }
}

/// How well predicted Gaussians N(mean, scale^2) describe the targets: the mean negative log-likelihood
/// per value (nats, including 0.5 log 2 pi) and the share of targets within 1 and 2 scales of the mean
/// (68.3 % and 95.4 % for a calibrated model).
public struct Calibration: Sendable {
  public var nll: Double
  public var within1: Double
  public var within2: Double

  public init(mean: [Float], scale: [Float], targets: [Float]) {
    var nll = 0.0, one = 0, two = 0
    for i in targets.indices {
      let s = Double(scale[i]), z = abs(Double(targets[i]) - Double(mean[i])) / s
      nll += 0.5 * z * z + Foundation.log(s) + 0.9189385332046727
      if z <= 1 { one += 1 }
      if z <= 2 { two += 1 }
    }
    let n = Double(max(targets.count, 1))
    self.nll = nll / n
    within1 = Double(one) / n
    within2 = Double(two) / n
  }
}

/// A generalizable-INR task: a kind of signal, with its data sets, what a model observes of a signal and
/// where it is queried, and the metrics of a reconstruction. Image and audio reconstruction observe and
/// query the signal's own grid (`GridTask`); view synthesis observes support views and queries rays of
/// the others through a radiance field.
public protocol INRTask {
  /// The grid of every signal's outputs ([S, S] images, [T] audio, [V, S, S] views) and the channels per sample.
  var grid: [Int] { get }
  var channels: Int { get }
  /// What model files record about a decoded signal.
  var info: FieldSignal.Info { get }
  /// The constant the hyponet adds to its output (the middle of the signal's range).
  var outputBias: Float { get }
  /// Peak-to-peak range of the values (1 for images in [0, 1], 2 for audio in [-1, 1]); PSNR is relative to it.
  var range: Float { get }
  /// A training or test set at `path` (a folder or a list file).
  func open(_ path: String, test: Bool) throws -> any SignalSet
  /// One signal file (or folder) as the test set would give it.
  func load(_ url: URL, seed: UInt64) throws -> Tensor
  /// The score of each reconstruction [B, grid..., C] against its signal.
  func scores(_ reconstructions: Tensor, _ signals: Tensor) -> [SignalScore]
  /// What a model observes of every signal of a batch (for evaluation).
  func observations(of signals: Tensor) -> Observations
  /// A partial observation (PONP's context): a random `fraction` of each signal, drawn from `rng`.
  func observations(of signals: Tensor, contextFraction fraction: Float, rng: inout RandomGenerator) -> Observations
  /// A training batch of `signals` at training step `step`: what the method observes (with
  /// `contextFraction`, a random context of each signal) and where it is scored (every sample, or
  /// `pixels` random ones), drawn from `rng`.
  func trainingBatch(_ signals: Tensor, pixels: Int, contextFraction: Float?, step: Int, rng: inout RandomGenerator) -> TrainingBatch
  /// The query coordinates of every output sample of `signals` (a reconstruction): [N, D] shared, or [B, N, D].
  func queries(of signals: Tensor) -> Tensor

  // Requirements with defaults (a signal observed on its own grid, Fourier-feature hyponet):
  /// The hyponet of a run with these sizes: Fourier features, ReLU MLP from the coordinates to the channels,
  /// plus `outputBias`.
  func hyponet(_ inr: TrainingConfig.INR, probabilistic: Bool?) -> HypoNet
  /// Set when queries are rays rendered through a radiance field (`Objective.predict`).
  var rendering: SceneRendering? { get }
  /// The grid and channels of what a model observes (`Observations.signals`), which data tokens patch.
  var observedGrid: [Int] { get }
  var observedChannels: Int { get }
  /// Whether data tokens get a learned position embedding (not for ray tokens, which carry their rays).
  var tokenPositions: Bool { get }
  /// The validation split that the data set itself names beside `path` (nil: none; the config may carve one).
  func validationSet(_ path: String) throws -> (any SignalSet)?
}

/// A task whose signals are observed and queried on one coordinate grid shared by every signal.
public protocol GridTask: INRTask {
  /// Coordinates of the grid's samples [N, D] in [-1, 1], in the row-major order of the signals.
  var coords: Tensor { get }
}

extension INRTask {
  public var sampleCount: Int { grid.reduce(1, *) }

  public func hyponet(_ inr: TrainingConfig.INR, probabilistic: Bool?) -> HypoNet {
    HypoNet(kind: .fourier, inputDim: grid.count, outputDim: channels, hiddenLayers: inr.hiddenLayers, width: inr.width,
            frequencies: inr.frequencies, sigma: inr.sigma, outputBias: outputBias, probabilistic: probabilistic)
  }

  public var rendering: SceneRendering? { nil }
  public var observedGrid: [Int] { grid }
  public var observedChannels: Int { channels }
  public var tokenPositions: Bool { true }
  public func validationSet(_ path: String) throws -> (any SignalSet)? { nil }

  /// Model outputs [B, N, C] as signals [B, grid..., C].
  public func signals(fromSamples y: Tensor) -> Tensor { y.reshaped([y.shape[0]] + grid + [channels]) }
}

extension GridTask {
  public func queries(of signals: Tensor) -> Tensor { coords }

  /// Signals [B, grid..., C] as samples [B, N, C].
  public func samples(_ signals: Tensor) -> Tensor { signals.reshaped([signals.shape[0], sampleCount, channels]) }

  public func observations(of signals: Tensor) -> Observations {
    Observations(signals: signals, coords: coords, targets: samples(signals))
  }

  /// Per signal a random `fraction` of its samples; the others are zero in `signals` and 0 in the mask.
  public func observations(of signals: Tensor, contextFraction fraction: Float, rng: inout RandomGenerator) -> Observations {
    guard fraction < 1 else { return observations(of: signals) }
    let b = signals.shape[0], n = sampleCount, k = max(1, Int((Float(n) * fraction).rounded()))
    var chosen: [[Int]] = []
    var mask = [Float](repeating: 0, count: b * n)
    for i in 0..<b {
      let idx = Array(rng.permutation(n).prefix(k)).sorted()
      for j in idx { mask[i * n + j] = 1 }
      chosen.append(idx)
    }
    let m = Tensor(shape: [b, n, 1], scalars: mask)
    let x = samples(signals), flat = (0..<b).flatMap { i in chosen[i].map { i * n + $0 } }
    let targets = x.reshaped([b * n, channels]).gather(axis: 0, indices: flat).reshaped([b, k, channels])
    let coords = coords.gather(axis: 0, indices: chosen.flatMap { $0 }).reshaped([b, k, coords.shape[1]])
    return Observations(signals: (x * m).reshaped(signals.shape), coords: coords, targets: targets,
                        mask: m.reshaped([b] + grid + [1]))
  }

  /// With a context fraction, a random context of each signal, scored on every sample or on `pixels`
  /// random ones; otherwise every sample, or the same `pixels` random samples for both.
  public func trainingBatch(_ signals: Tensor, pixels: Int, contextFraction: Float?, step: Int, rng: inout RandomGenerator) -> TrainingBatch {
    let n = sampleCount, partial = (contextFraction ?? 1) < 1
    var obs = partial ? observations(of: signals, contextFraction: contextFraction ?? 1, rng: &rng) : observations(of: signals)
    var qx = coords, qy = samples(signals)
    if pixels > 0 && pixels < n {
      let idx = (0..<pixels).map { _ in rng.nextInt(below: n) }
      qx = qx.gather(axis: 0, indices: idx)
      qy = qy.gather(axis: 1, indices: idx)
      if !partial {
        obs.coords = qx
        obs.targets = qy
      }
    }
    return TrainingBatch(observations: obs, queryCoords: qx, queryTargets: qy)
  }
}
