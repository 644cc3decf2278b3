import ArgumentParser

/// Trans-INR test-time optimisation (Sec. 4.4): Adam on the generated INR weights against the input's pixels.
struct TestTimeOptions: ParsableArguments {
  @Option(name: .customLong("tto-steps"), help: "Test-time optimisation steps on Trans-INR's generated weights.")
  var steps: Int = 0
  @Option(name: .customLong("tto-lr"), help: "Test-time optimisation learning rate (Adam).")
  var learningRate: Float = 1e-4

  func validate() throws {
    guard steps >= 0, learningRate > 0 else { throw ValidationError("--tto-steps must be >= 0 and --tto-lr positive") }
  }
}
