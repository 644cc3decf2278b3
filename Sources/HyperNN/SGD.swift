import HyperTensor

/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay
/// (PyTorch's formulation: b = mu b + g; step along g + mu b with Nesterov, else b).
public final class SGD: Optimizer {
  public var learningRate: Float
  public let momentum: Float, nesterov: Bool, weightDecay: Float
  public private(set) var step = 0
  private let slots = SlotBuffers()

  public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public func update(_ parameters: [(String, Parameter)], gradients: [Tensor]) {
    precondition(parameters.count == gradients.count, "\(parameters.count) parameters, \(gradients.count) gradients")
    for ((name, p), g) in zip(parameters, gradients) where !p.isFrozen {
      let gp = g.storage.pointer, src = p.value.storage.pointer
      let buf: UnsafeMutablePointer<Float>? = momentum > 0 ? slots.buffer("momentum.\(name)", shape: p.shape) : nil
      let first = step == 0
      let updated = Tensor.build(p.shape) { dst, n in
        for i in 0..<n {
          var d = gp[i] + weightDecay * src[i]
          if let b = buf {
            b[i] = first ? d : momentum * b[i] + d
            d = nesterov ? d + momentum * b[i] : b[i]
          }
          dst[i] = src[i] - learningRate * d
        }
      }
      p.assign(updated)
    }
    step += 1
  }

  public func stateTensors() -> [String: Tensor] { slots.state(step: step) }

  public func loadState(_ state: [String: Tensor]) throws { step = try slots.restore(state, prefixes: ["momentum"]) }
}
