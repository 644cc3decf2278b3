import CKernels
import HyperTensor

/// Adam (Kingma & Ba 2015, Algorithm 1) with PyTorch's conventions:
/// m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// `weightDecay` adds wd * p to the gradient (L2). AdamW (Loshchilov & Hutter 2019) instead decays the
/// parameter directly: p *= 1 - lr wd before the Adam step. One fused kernel per parameter, threaded.
public final class Adam: Optimizer {
  public var learningRate: Float
  public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
  public let decoupled: Bool
  public private(set) var step = 0
  private let slots = SlotBuffers()

  public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
              weightDecay: Float = 0, decoupled: Bool = false) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupled = decoupled
  }

  public func update(_ parameters: [(String, Parameter)], gradients: [Tensor]) {
    precondition(parameters.count == gradients.count, "\(parameters.count) parameters, \(gradients.count) gradients")
    step += 1
    let bc1 = 1 - Float(Double(beta1).power(step)), bc2 = 1 - Float(Double(beta2).power(step))
    let mode: Int32 = weightDecay == 0 ? 0 : (decoupled ? 2 : 1)
    for ((name, p), g) in zip(parameters, gradients) where !p.isFrozen {
      precondition(g.shape == p.shape, "gradient shape \(g.shape) for \(name) \(p.shape)")
      let m = slots.buffer("m.\(name)", shape: p.shape), v = slots.buffer("v.\(name)", shape: p.shape)
      let src = p.value.storage.pointer
      let grad = g.storage.pointer
      let updated = Tensor.build(p.shape) { dst, n in
        Parallel.forEachChunk(n) { r in  // elementwise: the same result for any split
          let o = r.lowerBound
          (dst + o).update(from: src + o, count: r.count)
          hk_adam(dst + o, grad + o, m + o, v + o, r.count, self.learningRate, self.beta1, self.beta2, self.eps,
                  self.weightDecay, mode, bc1, bc2)
        }
      }
      p.assign(updated)
    }
  }

  public func stateTensors() -> [String: Tensor] { slots.state(step: step) }

  public func loadState(_ state: [String: Tensor]) throws { step = try slots.restore(state, prefixes: ["m", "v"]) }
}

/// AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch).
public func AdamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                  weightDecay: Float = 0.01) -> Adam {
  Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: true)
}

extension Double {
  func power(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= self }
    return r
  }
}
