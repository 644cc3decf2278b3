import HyperNN
import HyperTensor

/// The inner loop of the optimisation-based meta-learners (MAML, Finn et al. 2017, Eq. 1; CAVIA): plain
/// SGD steps on per-instance parameters phi ([B, ...] each), phi <- phi - lr s(phi) grad, where `loss` is
/// the sum over instances of each instance's loss (so each instance's gradient is that of its own loss)
/// and s an optional per-instance step scale. With `createGraph` the result stays differentiable in
/// whatever phi was computed from (second order); without, each step starts from detached values.
enum InnerLoop {
  static func adapt(_ phi: [Tensor], steps: Int, learningRate: Float, createGraph: Bool,
                    stepScale: ((Tensor) -> Tensor)? = nil, loss: ([Tensor]) -> Tensor) -> [Tensor] {
    var p = createGraph ? phi : phi.map { $0.detached().requiringGrad() }
    for _ in 0..<steps {
      let g = gradients(of: loss(p), wrt: p, createGraph: createGraph)
      p = zip(p, g).map { x, d in x - (stepScale.map { d * $0(x) } ?? d) * learningRate }
      if !createGraph { p = p.map { $0.detached().requiringGrad() } }
    }
    return p
  }
}
