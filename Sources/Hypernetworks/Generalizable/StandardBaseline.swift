import HyperNN
import HyperTensor
import NeuralFields

/// The "Standard" baseline of Learned Init and Trans-INR: each signal fitted from the same random
/// initialisation (drawn from `seed`) by `steps` Adam steps on its observed samples.
public final class StandardBaseline: INRPredictor {
  public let hyponet: HypoNet
  public let steps: Int
  public let learningRate: Float
  public let seed: UInt64

  public init(hyponet: HypoNet, steps: Int, learningRate: Float, seed: UInt64) {
    self.hyponet = hyponet
    self.steps = steps
    self.learningRate = learningRate
    self.seed = seed
  }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    var rng = RandomGenerator(seed: seed)
    let start = hyponet.initialWeights(rng: &rng).perInstance(batch: observations.batch)
    return TestTimeOptimization.refine(start, hyponet: hyponet, observations: observations, steps: steps, learningRate: learningRate)
  }
}
