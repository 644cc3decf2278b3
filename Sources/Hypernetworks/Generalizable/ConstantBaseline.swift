import HyperTensor
import NeuralFields

/// The floor of every comparison: an INR whose weights are all zero, so it outputs the hyponet's output
/// bias everywhere (mid-grey for images, silence for audio) whatever it observes. A method that does not
/// beat it has learned nothing about the signals. (A radiance field of zero weights renders one colour
/// everywhere too: grey at a constant density, composited over white.)
public final class ConstantBaseline: INRPredictor {
  public let objective: Objective
  public var hyponet: HypoNet { objective.hyponet }

  public init(objective: Objective) { self.objective = objective }

  public func inferenceWeights(for observations: Observations) -> INRWeights {
    let b = observations.batch
    return INRWeights(hyponet.layerShapes.map { LayerWeights(weight: Tensor.zeros([b, $0.0, $0.1]), bias: Tensor.zeros([b, 1, $0.1])) })
  }
}
