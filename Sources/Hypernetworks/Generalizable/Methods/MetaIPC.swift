import HyperNN
import HyperTensor
import NeuralFields

/// Instance Pattern Composers by meta-learning (IPC Algorithm 1, CAVIA-style): no encoder; U starts from
/// a learned initialisation U0 [fanIn, r] and takes `innerSteps` SGD steps per instance on the observed
/// samples, U <- U - lr ||U||^2 grad (the step scaled by the squared norm, since normalize(U V) does not
/// change with the scale of U), second order through the inner loop; U0, V and the shared layers are
/// meta-learned by the outer optimiser.
public final class MetaIPC: Module, RegisteredMethod {
  public struct Settings: Codable, Equatable, Sendable {
    public var rank: Int
    /// The INR layer whose weight is modulated (absent: 1, the second layer).
    public var modulatedLayer: Int?
    public var innerSteps: Int
    public var innerLearningRate: Float

    public init(rank: Int, modulatedLayer: Int? = nil, innerSteps: Int, innerLearningRate: Float) {
      self.rank = rank
      self.modulatedLayer = modulatedLayer
      self.innerSteps = innerSteps
      self.innerLearningRate = innerLearningRate
    }
  }

  public static let settingsKey = "ipcMeta"

  public static func problems(_ s: Settings, _ c: MethodContext) -> [String] {
    ComposedINR.problems(modulatedLayer: s.modulatedLayer ?? 1, rank: s.rank, key: settingsKey, hyponet: c.hyponet)
      + (s.innerSteps < 1 || !(s.innerLearningRate > 0) ? ["ipcMeta: innerSteps and innerLearningRate must be positive"] : [])
  }

  public let settings: Settings
  public let hyponet: HypoNet
  public let objective: Objective
  public let inr: ComposedINR
  /// U0.
  public let initialFactor: Parameter

  public init(_ settings: Settings, _ context: MethodContext, rng: inout RandomGenerator) {
    self.settings = settings
    hyponet = context.hyponet
    objective = context.objective
    inr = ComposedINR(hyponet: hyponet, modulatedLayer: settings.modulatedLayer ?? 1, rank: settings.rank, rng: &rng)
    initialFactor = Parameter(Tensor.normal([inr.fanIn, settings.rank], std: 1, rng: &rng))
    super.init()
    register("inr", inr)
    register("init_factor", initialFactor)
  }

  public var summary: String {
    "IPC meta-learned (rank \(settings.rank), layer \(inr.modulatedLayer) modulated, \(settings.innerSteps) inner steps), \(parameterCount()) parameters"
  }

  /// U of every observed signal after the inner loop (differentiable in the parameters with `createGraph`).
  public func adapt(_ observations: Observations, createGraph: Bool) -> INRWeights {
    let b = observations.batch
    let u0 = initialFactor.value.repeated(batch: b)
    let u = InnerLoop.adapt([u0], steps: settings.innerSteps, learningRate: settings.innerLearningRate, createGraph: createGraph,
                            stepScale: { $0.square().sum(axes: [1, 2], keepdims: true) }) { u in
      objective.loss(at: observations.coords, inr.weights(u: u[0]), observations.targets) * Float(b)
    }
    return inr.weights(u: u[0])
  }

  public func weights(for observations: Observations) -> INRWeights { adapt(observations, createGraph: true) }

  public func inferenceWeights(for observations: Observations) -> INRWeights { adapt(observations, createGraph: false).detached() }
}
