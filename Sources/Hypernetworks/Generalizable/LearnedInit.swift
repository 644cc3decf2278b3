import HyperNN
import HyperTensor
import NeuralFields

/// Learned Init (Tancik et al., "Learned Initializations for Optimizing Coordinate-Based Neural
/// Representations", CVPR 2021): a meta-learned initialisation theta of a hyponet from which a few plain
/// SGD steps fit a new signal. Meta-training differentiates through the inner steps: second-order MAML
/// (Finn et al. 2017, Eq. 1) records the inner gradients (createGraph) so the outer gradient includes the
/// Hessian-vector terms; Reptile (Nichol et al. 2018) instead moves theta towards the adapted weights.
public final class LearnedInit: Module {
  public let net: HypoNet
  public let layers: [Parameter]
  public var innerSteps: Int
  public var innerLearningRate: Float

  public init(net: HypoNet, innerSteps: Int = 3, innerLearningRate: Float = 1e-2, rng: inout RandomGenerator) {
    self.net = net
    self.innerSteps = innerSteps
    self.innerLearningRate = innerLearningRate
    layers = net.initialParameters(rng: &rng).map { Parameter($0) }
    super.init()
    for (k, p) in layers.enumerated() { register("layers.\(k)", p) }
  }

  /// Adapted weights for one signal: `innerSteps` SGD steps on the MSE from theta. With `createGraph` the
  /// result stays differentiable in theta (second-order MAML).
  public func adapt(coords: Tensor, targets: Tensor, steps: Int? = nil, createGraph: Bool) -> [Tensor] {
    var w = layers.map(\.value)
    for _ in 0..<(steps ?? innerSteps) {
      let loss = Loss.mse(net(coords, w), targets)
      let g = gradients(of: loss, wrt: w, createGraph: createGraph)
      w = zip(w, g).map { $0 - $1 * innerLearningRate }
      if !createGraph { w = w.map { $0.detached().requiringGrad() } }
    }
    return w
  }

  /// The MAML meta-loss of a batch of signals (mean over signals of the post-adaptation MSE); its gradient
  /// with respect to theta is the second-order meta-gradient.
  public func metaLoss(coords: Tensor, targets: [Tensor]) -> Tensor {
    let losses = targets.map { t in Loss.mse(net(coords, adapt(coords: coords, targets: t, createGraph: true)), t) }
    return losses.dropFirst().reduce(losses[0], +) * (1 / Float(targets.count))
  }

  /// One Reptile update: theta += epsilon (mean adapted weights - theta). Returns the mean MSE of the
  /// adapted weights (before the update).
  @discardableResult
  public func reptileStep(coords: Tensor, targets: [Tensor], epsilon: Float) -> Float {
    var sums = layers.map { Tensor.zeros($0.shape) }
    var loss: Float = 0
    for t in targets {
      let w = adapt(coords: coords, targets: t, createGraph: false).map { $0.detached() }
      loss += GradMode.withoutGradients { Loss.mse(net(coords, w), t).item() }
      sums = zip(sums, w).map { $0 + $1 }
    }
    for (p, s) in zip(layers, sums) {
      p.assign(GradMode.withoutGradients { p.value + (s * (1 / Float(targets.count)) - p.value) * epsilon })
    }
    return loss / Float(targets.count)
  }
}
