import HyperNN
import HyperTensor
import NeuralFields

/// Test-time optimisation (Trans-INR Table 4): Adam steps on INR weights themselves, detached from
/// whatever produced them, against the observed samples (scored by `objective`). Shared layers are first copied per instance,
/// and the loss is the sum of the instances' losses, so each signal's INR moves as if refined alone.
public enum TestTimeOptimization {
  public static func refine(_ weights: INRWeights, objective: Objective, observations: Observations, steps: Int,
                            learningRate: Float = 1e-4) -> INRWeights {
    guard steps > 0 else { return weights }
    let b = observations.batch
    let params = FieldParameters(weights.perInstance(batch: b).detached())
    let opt = Adam(learningRate: learningRate)
    for _ in 0..<steps { opt.minimize(params) { objective.loss(at: observations.coords, params.hyponetWeights, observations.targets) * Float(b) } }
    return params.hyponetWeights.detached()
  }
}
