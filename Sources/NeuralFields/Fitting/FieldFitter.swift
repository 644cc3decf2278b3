import Foundation
import HyperNN
import HyperTensor
import Signals

/// Settings of a per-signal fit (COIN, Dupont et al. 2021: one INR fitted to one signal by Adam).
public struct FitSettings: Codable, Equatable, Sendable {
  public var steps: Int
  public var learningRate: Float
  /// Coordinates per step (0 or >= N: all, i.e. full batch).
  public var batch: Int
  public var seed: UInt64
  /// Cosine decay of the learning rate to 5 % over `steps` (else constant).
  public var cosineDecay: Bool
  public init(steps: Int, learningRate: Float, batch: Int, seed: UInt64, cosineDecay: Bool = false) {
    self.steps = steps
    self.learningRate = learningRate
    self.batch = batch
    self.seed = seed
    self.cosineDecay = cosineDecay
  }

  /// The learning rate of `step`: constant, or the cosine decay to 5 %.
  public func learningRate(at step: Int) -> Float {
    cosineDecay ? LearningRateSchedule.cosine(warmup: 0, total: steps, minFactor: 0.05).rate(base: learningRate, step: step) : learningRate
  }
}

/// A fit that runs step by step and saves its whole state (per-signal fields, scenes).
public protocol ResumableFit: AnyObject {
  var settings: FitSettings { get }
  var step: Int { get }
  /// One optimizer step: the loss and the batch's quality (PSNR in dB, or IoU in % for occupancy).
  func trainStep() throws -> (Float, Double)
  /// Writes the parameters, configuration and training state atomically, so that a resumed fit
  /// continues exactly.
  func checkpoint(to url: URL) throws
}

extension ResumableFit {
  /// Runs until `settings.steps` or until `shouldStop()` returns true (checked every step).
  public func run(shouldStop: () -> Bool = { false }, progress: (FitProgress) -> Void) throws {
    let start = DispatchTime.now().uptimeNanoseconds
    while step < settings.steps && !shouldStop() {
      let (loss, psnr) = try trainStep()
      progress(FitProgress(step: step, steps: settings.steps, loss: loss, psnr: psnr,
                           seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9))
    }
  }
}

/// Why a fit stopped early.
public struct FitError: Error, CustomStringConvertible {
  public let description: String
  public init(description: String) { self.description = description }
}

/// What a fit trains: a module whose parameters produce the hyponet's layer weights — the weights
/// themselves (`FieldParameters`) or a hypernetwork's inputs (D'OH's latent code).
public protocol FieldParameterization: Module {
  /// The hyponet's weights, differentiable in the module's parameters.
  var hyponetWeights: INRWeights { get }
  /// Metadata that identifies the parameterization in a checkpoint.
  var checkpointMetadata: [String: String] { get }
}

/// The INR parameters of a fit as a module of packed layers ("layers.k", [fanIn + 1, fanOut], bias last
/// row), so they save and load by name as model files store them.
public final class FieldParameters: Module, FieldParameterization {
  public let layers: [Parameter]
  public init(_ weights: INRWeights) {
    layers = weights.packed.map { Parameter($0) }
    super.init()
    for (k, p) in layers.enumerated() { register("layers.\(k)", p) }
  }
  public var hyponetWeights: INRWeights { INRWeights(packed: layers.map(\.value)) }
  public var checkpointMetadata: [String: String] { [:] }
}

/// Progress of a fit, reported every step.
public struct FitProgress {
  public var step: Int
  public var steps: Int
  public var loss: Float
  /// Quality of this step's batch: PSNR in dB relative to the signal's range, or IoU in % for occupancy.
  public var psnr: Double
  public var seconds: Double
}

/// Fits a hyponet to one signal with Adam on full or random coordinate batches, resumable exactly:
/// the state (parameters, Adam moments, step, sampler RNG) is what `checkpoint` saves.
public final class FieldFitter: ResumableFit {
  public let net: HypoNet
  /// The settings; `steps` may be raised to continue a resumed fit.
  public var settings: FitSettings
  public let signal: FieldSignal
  public let parameters: any FieldParameterization
  public let optimizer: Adam
  public private(set) var step = 0
  public private(set) var rng: RandomGenerator

  /// A fit of `net`'s weights, initialised from `settings.seed` — or of the given parameterization.
  public init(net: HypoNet, settings: FitSettings, signal: FieldSignal, parameters: (any FieldParameterization)? = nil) {
    precondition(net.inputDim == signal.coords.shape[1] && net.outputDim == signal.targets.shape[1],
                 "hyponet \(net.inputDim) -> \(net.outputDim) does not fit signal \(signal.coords.shape) -> \(signal.targets.shape)")
    self.net = net
    self.settings = settings
    self.signal = signal
    if let parameters {
      self.parameters = parameters
    } else {
      var initRNG = RandomGenerator(seed: settings.seed)
      self.parameters = FieldParameters(net.initialWeights(rng: &initRNG))
    }
    optimizer = Adam(learningRate: settings.learningRate)
    rng = RandomGenerator(seed: settings.seed ^ 0x5EED_F17)
  }

  /// The bytes a fit of `net` with `coordinates` per step holds at its peak, roughly: the weights with
  /// their gradients, two Adam moments and a transient copy, and per layer the pre-activations, activations and their
  /// gradients of the batch. Commands check it against the memory budget before they start.
  public static func estimatedBytes(net: HypoNet, coordinates n: Int) -> Int {
    let weights = net.layerShapes.reduce(0) { $0 + ($1.0 + 1) * $1.1 }
    let activations = n * (net.encodedDim + net.layerShapes.reduce(0) { $0 + 3 * $1.1 })
    return 4 * (5 * weights + 2 * activations)
  }

  /// One Adam step; returns the loss and the batch's quality: PSNR in dB (images, audio) or IoU in %
  /// (occupancy). Occupancy fields output logits and train with binary cross-entropy; others with MSE.
  public func trainStep() throws -> (Float, Double) {
    let n = signal.coords.shape[0]
    var x = signal.coords, y = signal.targets
    if settings.batch > 0 && settings.batch < n {
      let idx = (0..<settings.batch).map { _ in rng.nextInt(below: n) }
      x = x.gather(axis: 0, indices: idx)
      y = y.gather(axis: 0, indices: idx)
    }
    optimizer.learningRate = settings.learningRate(at: step)
    var prediction = y
    let occupancy = signal.info.kind == .occupancy
    let loss = optimizer.minimize(parameters) {
      let out = net(x, parameters.hyponetWeights)
      prediction = out.detached()
      return occupancy ? Loss.binaryCrossEntropy(logits: out, targets: y) : Loss.mse(out, y)
    }
    step += 1
    guard loss.isFinite else {
      throw FitError(description: "training diverged at step \(step) (a NaN or infinite loss or gradient, not applied); the last checkpoint, if one was written, is kept: --resume it with a lower --lr")
    }
    if occupancy {
      return (loss, 100 * OccupancySampler.iou(prediction.scalars.map { $0 > 0 }, y.scalars.map { $0 > 0.5 }))
    }
    let r = Double(signal.range)
    return (loss, 10 * Foundation.log10(r * r / max(Double(loss), 1e-20)))
  }

  /// The INR evaluated on the signal's own coordinates, in chunks.
  public func reconstruction() -> Tensor {
    FittedModel.evaluate(net, parameters.hyponetWeights, signal.coords)
  }

  // MARK: checkpoints

  /// Saves parameters, configuration, and the training state (Adam moments, step, RNG) atomically.
  public func checkpoint(to url: URL) throws {
    var meta = try FittedModel.metadata(net: net, signal: signal.info)
    meta.merge(parameters.checkpointMetadata) { _, b in b }
    meta["hyperinr.fit"] = try SafeTensors.metadataJSON(settings)
    try TrainingCheckpoint(step: step, rng: rng, metadata: meta).write(module: parameters, optimizer: optimizer, to: url)
  }

  /// Restores a checkpoint written by `checkpoint(to:)` for the same signal and configuration;
  /// `parameterization` rebuilds a non-default parameterization from the checkpoint's metadata.
  public static func resume(
    from url: URL, signal: FieldSignal,
    parameterization: ((HypoNet, [String: String]) throws -> (any FieldParameterization)?)? = nil
  ) throws -> FieldFitter {
    let file = try SafeTensors.read(url)
    let model = try FittedModel(file: file, path: url.path, requireLayers: parameterization == nil)
    guard let fitJSON = file.metadata["hyperinr.fit"], let settings = try? JSONDecoder().decode(FitSettings.self, from: Data(fitJSON.utf8)) else {
      throw FitError(description: "\(url.path): not a resumable checkpoint (no training state)")
    }
    guard model.signal == signal.info else {
      throw FitError(description: "\(url.path): checkpoint was made for a \(model.signal.kind) of size \(model.signal.size) x \(model.signal.channels), not this signal (\(signal.info.size) x \(signal.info.channels))")
    }
    let fitter = FieldFitter(net: model.net, settings: settings, signal: signal,
                             parameters: try parameterization?(model.net, file.metadata))
    let state = try TrainingCheckpoint.restore(file, path: url.path, module: fitter.parameters, optimizer: fitter.optimizer)
    fitter.step = state.step
    fitter.rng = state.rng
    return fitter
  }
}
