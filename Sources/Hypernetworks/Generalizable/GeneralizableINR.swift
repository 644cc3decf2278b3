import HyperNN
import HyperTensor
import NeuralFields

/// What a model sees of a batch of signals: the signals on their grid ([B, H, W, C] images, [B, T, C]
/// audio; unobserved samples zeroed when only a context is given) and the observed samples — coordinates
/// [N, D] shared by the batch or [B, N, D] per instance, and their values [B, N, C].
public struct Observations {
  public var signals: Tensor
  public var coords: Tensor
  public var targets: Tensor
  /// 1 where a grid sample is observed, [B, grid..., 1] (nil: every sample is).
  public var mask: Tensor?

  public init(signals: Tensor, coords: Tensor, targets: Tensor, mask: Tensor? = nil) {
    self.signals = signals
    self.coords = coords
    self.targets = targets
    self.mask = mask
  }

  public var batch: Int { signals.shape[0] }
}

/// How INR outputs are scored against targets: MSE, or for a probabilistic hyponet (PONP) the Gaussian
/// negative log-likelihood of the targets under its predicted means and scales, optionally beta-weighted.
public struct Objective: Sendable {
  public var hyponet: HypoNet
  /// The beta of beta-NLL for a probabilistic hyponet (`Loss.gaussianNLL`; 0: plain NLL).
  public var nllBeta: Float

  public init(hyponet: HypoNet, nllBeta: Float = 0) {
    self.hyponet = hyponet
    self.nllBeta = nllBeta
  }

  /// The loss of hyponet outputs against targets [..., C].
  public func loss(_ output: Tensor, _ targets: Tensor) -> Tensor {
    let (mean, scale) = hyponet.split(output)
    guard let scale else { return Loss.mse(mean, targets) }
    return Loss.gaussianNLL(mean: mean, variance: scale.square(), target: targets, full: true, beta: nllBeta)
  }
}

/// Anything that turns observations into INR weights for the hyponet: a trained hypernetwork, a
/// meta-learned initialisation with its inner loop, or the Standard per-signal fit.
public protocol INRPredictor: AnyObject {
  var hyponet: HypoNet { get }
  /// The weights for each observed signal, for evaluation (no gradients kept).
  func inferenceWeights(for observations: Observations) -> INRWeights
}

/// A generalizable-INR method: a trainable module that maps observations to INR weights. Training
/// minimises `objective` of the hyponet on the query samples; methods with another outer update
/// (Reptile) override `trainStep`.
public protocol GeneralizableINR: Module, INRPredictor {
  var objective: Objective { get }
  /// The weights for each observed signal, differentiable in the module's parameters.
  func weights(for observations: Observations) -> INRWeights
  /// One outer update on a batch; returns the training loss before the update.
  func trainStep(_ batch: TrainingBatch, optimizer: Adam) -> Float
  /// One line describing the method and its size.
  var summary: String { get }
}

/// A training batch: what the model observes, and the samples it is scored on.
public struct TrainingBatch {
  public var observations: Observations
  /// Query coordinates [N, D] or [B, N, D] and targets [B, N, C].
  public var queryCoords: Tensor
  public var queryTargets: Tensor

  public init(observations: Observations, queryCoords: Tensor, queryTargets: Tensor) {
    self.observations = observations
    self.queryCoords = queryCoords
    self.queryTargets = queryTargets
  }
}

extension GeneralizableINR {
  public func trainStep(_ batch: TrainingBatch, optimizer: Adam) -> Float { gradientStep(batch, optimizer: optimizer) }

  /// One Adam step on the query loss of the generated weights, backpropagated into the module.
  public func gradientStep(_ batch: TrainingBatch, optimizer: Adam) -> Float {
    optimizer.minimize(self) { objective.loss(hyponet(batch.queryCoords, weights(for: batch.observations)), batch.queryTargets) }
  }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    GradMode.withoutGradients { weights(for: observations) }
  }
}
