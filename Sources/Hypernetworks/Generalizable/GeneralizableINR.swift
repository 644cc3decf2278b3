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

/// How INR weights are scored at query coordinates: the prediction there — the hyponet's output, or for a
/// radiance field the volume-rendered colour of query rays (`rendering`) — against the targets by MSE, or
/// for a probabilistic hyponet (PONP) by the Gaussian negative log-likelihood of the targets under its
/// predicted means and scales, optionally beta-weighted.
public struct Objective: Sendable {
  public var hyponet: HypoNet
  /// The beta of beta-NLL for a probabilistic hyponet (`Loss.gaussianNLL`; 0: plain NLL).
  public var nllBeta: Float
  /// Set for a radiance field: query coordinates are rays (origin, unit direction: [..., 6]) rendered at
  /// its depths; nil: they are the hyponet's own inputs.
  public var rendering: SceneRendering?

  public init(hyponet: HypoNet, nllBeta: Float = 0, rendering: SceneRendering? = nil) {
    self.hyponet = hyponet
    self.nllBeta = nllBeta
    self.rendering = rendering
  }

  /// The prediction of `weights` at `coords` ([N, D] shared or [B, N, D]): the hyponet's output there, or
  /// the rendered colours [B, N, 3] of rays (Eq. 3 of NeRF, `SceneRendering`).
  public func predict(_ coords: Tensor, _ weights: INRWeights) -> Tensor {
    guard let rendering else { return hyponet(coords, weights) }
    precondition(coords.rank == 3 && coords.shape[2] == 6, "a radiance field's queries are rays [B, N, 6], got \(coords.shape)")
    let b = coords.shape[0], n = coords.shape[1]
    let depths = VolumeRendering.depths(rays: b * n, samples: rendering.samples, near: rendering.near, far: rendering.far)
    return rendering.render(hyponet, weights, origins: coords.slice(axis: 2, 0, 3), directions: coords.slice(axis: 2, 3, 6), depths: depths)
      .rgb.reshaped([b, n, 3])
  }

  /// The loss of `weights` predicting `targets` [..., C] at `coords`.
  public func loss(at coords: Tensor, _ weights: INRWeights, _ targets: Tensor) -> Tensor { loss(predict(coords, weights), targets) }

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
  /// How the weights are scored (and what they predict at query coordinates).
  var objective: Objective { get }
  /// The weights for each observed signal, for evaluation (no gradients kept).
  func inferenceWeights(for observations: Observations) -> INRWeights
}

/// A generalizable-INR method: a trainable module that maps observations to INR weights. Training
/// minimises `objective` of the hyponet on the query samples; methods with another outer update
/// (Reptile) override `trainStep`.
public protocol GeneralizableINR: Module, INRPredictor {
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
    optimizer.minimize(self) { objective.loss(at: batch.queryCoords, weights(for: batch.observations), batch.queryTargets) }
  }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    GradMode.withoutGradients { weights(for: observations) }
  }
}
