import ArgumentParser
import NeuralFields

/// Test-time optimisation (Trans-INR Sec. 4.4): Adam on the predicted INR weights, of any method, against the
/// observed samples of the input.
struct TestTimeOptions: ParsableArguments {
  @Option(name: .customLong("tto-steps"), help: "Test-time optimisation: Adam steps on the predicted INR weights (any method) against the observed samples.")
  var steps: Int = 0
  @Option(name: .customLong("tto-lr"), help: "Test-time optimisation learning rate (Adam).")
  var learningRate: Float = 1e-4

  func validate() throws {
    try Limits.require(Limits.check("--tto-steps", steps, 0...Limits.steps.upperBound), Limits.checkPositive("--tto-lr", learningRate))
  }
}
