import HyperNN
import HyperTensor
import NeuralFields

/// The INR of Instance Pattern Composers (Kim et al., "Generalizable Implicit Neural Representations via
/// Instance Pattern Composers", CVPR 2023, Sec. 3.2): every layer is shared by all instances ("pattern
/// composition rules", columns normalised to unit L2 over fanIn) except layer m, whose weight is the
/// instance pattern composer W_m = normalize(U V) with U [fanIn, r] per instance and V [r, fanOut] shared
/// (Eq. 4); layer m's bias is shared. Parameters: "base.k" (packed layers k != m), "bias" and
/// "shared_factor" (V).
public final class ComposedINR: Module {
  public let hyponet: HypoNet
  /// The modulated layer m and the rank r.
  public let modulatedLayer: Int
  public let rank: Int
  public let base: [Parameter?]
  public let bias: Parameter
  public let sharedFactor: Parameter

  public init(hyponet: HypoNet, modulatedLayer m: Int, rank: Int, rng: inout RandomGenerator) {
    self.hyponet = hyponet
    modulatedLayer = m
    self.rank = rank
    let initial = hyponet.initialWeights(rng: &rng).layers
    base = initial.enumerated().map { $0.offset == m ? nil : Parameter($0.element.packed) }
    bias = Parameter(initial[m].bias)
    let (fanIn, fanOut) = hyponet.layerShapes[m]
    sharedFactor = Parameter(Tensor.normal([rank, fanOut], std: 1 / Float(rank * fanIn).squareRoot(), rng: &rng))
    super.init()
    for (k, p) in base.enumerated() { if let p { register("base.\(k)", p) } }
    register("bias", bias)
    register("shared_factor", sharedFactor)
  }

  /// Fan-in of the modulated layer (the rows of U).
  public var fanIn: Int { hyponet.layerShapes[modulatedLayer].0 }

  /// The INR weights for per-instance factors U [B, fanIn, r].
  public func weights(u: Tensor) -> INRWeights {
    INRWeights(base.enumerated().map { k, p in
      guard let p else { return .lowRank(u: u, v: sharedFactor.value, bias: bias.value) }
      let l = LayerWeights(packed: p.value)
      return LayerWeights(weight: l.weight.l2Normalized(axis: 0), bias: l.bias)
    })
  }

  /// Checks of the modulated layer and the rank, as "key.field: expected" lines.
  public static func problems(modulatedLayer m: Int, rank: Int, key: String, hyponet: HypoNet) -> [String] {
    let shapes = hyponet.layerShapes
    guard shapes.indices.contains(m) else {
      return ["\(key).modulatedLayer: must be a layer index in 0...\(shapes.count - 1) (the INR has \(shapes.count) layers), got \(m)"]
    }
    let limit = min(shapes[m].0, shapes[m].1)
    return rank >= 1 && rank <= limit ? [] : ["\(key).rank: must be in 1...\(limit) (layer \(m) is \(shapes[m].0) x \(shapes[m].1)), got \(rank)"]
  }
}
