import HyperNN
import HyperTensor
import NeuralFields

/// Learned Init (Tancik et al., "Learned Initializations for Optimizing Coordinate-Based Neural
/// Representations", CVPR 2021): a meta-learned initialisation theta of a hyponet from which a few plain
/// SGD steps on the observed samples fit a new signal. Meta-training differentiates through the inner
/// steps: second-order MAML (Finn et al. 2017, Eq. 1) records the inner gradients so the outer gradient
/// includes the Hessian-vector terms; Reptile (Nichol et al. 2018) instead moves theta towards the adapted
/// weights, theta += epsilon (mean adapted - theta), with its own meta step size epsilon (or, as runs
/// written before that setting, the step's scheduled learning rate).
public final class LearnedInit: Module, RegisteredMethod {
  public struct Settings: Codable, Equatable, Sendable {
    public var innerSteps: Int
    public var innerLearningRate: Float
    /// First-order Reptile instead of second-order MAML.
    public var reptile: Bool
    /// Reptile's meta step size epsilon, in (0, 1] (Adam is not used then). Absent: the scheduled
    /// `train.learningRate` of each step, as runs written before this setting existed used.
    public var metaStepSize: Float?

    public init(innerSteps: Int, innerLearningRate: Float, reptile: Bool, metaStepSize: Float? = nil) {
      self.innerSteps = innerSteps
      self.innerLearningRate = innerLearningRate
      self.reptile = reptile
      self.metaStepSize = metaStepSize
    }
  }

  public static let settingsKey = "learnedInit"

  public static func problems(_ s: Settings, _ c: MethodContext) -> [String] {
    var p: [String] = []
    if s.innerSteps < 1 || !(s.innerLearningRate > 0) { p.append("learnedInit: innerSteps and innerLearningRate must be positive") }
    if let e = s.metaStepSize, !(e > 0 && e <= 1) { p.append("learnedInit.metaStepSize: must be in (0, 1], got \(e)") }
    return p
  }

  public let settings: Settings
  public let hyponet: HypoNet
  public let objective: Objective
  /// theta, as packed layers [fanIn + 1, fanOut].
  public let layers: [Parameter]

  public init(_ settings: Settings, _ context: MethodContext, rng: inout RandomGenerator) {
    self.settings = settings
    hyponet = context.hyponet
    objective = context.objective
    layers = hyponet.initialWeights(rng: &rng).packed.map { Parameter($0) }
    super.init()
    for (k, p) in layers.enumerated() { register("layers.\(k)", p) }
  }

  public var summary: String {
    "Learned Init (\(settings.innerSteps) inner steps, \(settings.reptile ? "Reptile" : "second-order MAML")), \(parameterCount()) parameters"
  }

  /// Adapted weights of every observed signal: `innerSteps` SGD steps from theta on its observed samples.
  /// With `createGraph` they stay differentiable in theta (second-order MAML).
  public func adapt(_ observations: Observations, createGraph: Bool, steps: Int? = nil) -> INRWeights {
    let b = observations.batch
    let theta = layers.map { $0.value.repeated(batch: b) }
    let adapted = InnerLoop.adapt(theta, steps: steps ?? settings.innerSteps, learningRate: settings.innerLearningRate,
                                  createGraph: createGraph) { w in
      objective.loss(at: observations.coords, INRWeights(packed: w), observations.targets) * Float(b)
    }
    return INRWeights(packed: adapted)
  }

  public func weights(for observations: Observations) -> INRWeights { adapt(observations, createGraph: true) }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    adapt(observations, createGraph: false).detached()
  }

  public func trainStep(_ batch: TrainingBatch, optimizer: Adam) -> Float {
    guard settings.reptile else { return gradientStep(batch, optimizer: optimizer) }
    let epsilon = settings.metaStepSize ?? optimizer.learningRate
    let adapted = adapt(batch.observations, createGraph: false).detached()
    return GradMode.withoutGradients {
      let loss = objective.loss(at: batch.queryCoords, adapted, batch.queryTargets).item()
      for (p, w) in zip(layers, adapted.packed) { p.assign(p.value + (w.mean(axis: 0) - p.value) * epsilon) }
      return loss
    }
  }
}
