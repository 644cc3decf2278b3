import HyperNN
import HyperTensor
import NeuralFields

/// The "Standard" baseline of Learned Init and Trans-INR: each signal fitted from the same random
/// initialisation (drawn from `seed`) by `steps` Adam steps on its observed samples.
public final class StandardBaseline: INRPredictor {
  public let objective: Objective
  public var hyponet: HypoNet { objective.hyponet }
  public let steps: Int
  public let learningRate: Float
  public let seed: UInt64

  public init(objective: Objective, steps: Int, learningRate: Float, seed: UInt64) {
    self.objective = objective
    self.steps = steps
    self.learningRate = learningRate
    self.seed = seed
  }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    var rng = RandomGenerator(seed: seed)
    let start = hyponet.initialWeights(rng: &rng).perInstance(batch: observations.batch)
    return TestTimeOptimization.refine(start, objective: objective, observations: observations, steps: steps, learningRate: learningRate)
  }
}
