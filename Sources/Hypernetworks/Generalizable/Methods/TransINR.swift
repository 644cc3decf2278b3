import HyperNN
import HyperTensor
import NeuralFields

/// Trans-INR (Chen & Wang, "Transformers as Meta-Learners for Implicit Neural Representations", ECCV 2022):
/// the signal is cut into patches (`GridPatches`), each projected to a data token (plus a learned position
/// embedding); learned weight tokens, g_k = min(G, fanOut_k) per INR layer, are appended; a transformer
/// encoder mixes them; each layer's weight-token outputs go through LayerNorm + Linear(D, fanIn_k) to g_k
/// vectors u. Weight grouping (Sec. 3.4): column j of layer k is normalize(u_(j mod g) * w_base[:, j]) with
/// unit L2 over fanIn; the bias row is the layer's shared learned base bias.
public final class TransINR: Module, RegisteredMethod {
  public struct Settings: Codable, Equatable, Sendable {
    public var patch: Int
    public var dim: Int
    public var depth: Int
    public var heads: Int
    /// Weight-token groups G per INR layer.
    public var groups: Int
    /// The tokenizer sees 2 x - 1 instead of the [0, 1] samples x (absent: false). With one large patch,
    /// raw pixels give every token a large shared term (their mean times the summed weights) that swamps
    /// the content.
    public var centredPixels: Bool?

    public init(patch: Int, dim: Int, depth: Int, heads: Int, groups: Int, centredPixels: Bool? = nil) {
      self.patch = patch
      self.dim = dim
      self.depth = depth
      self.heads = heads
      self.groups = groups
      self.centredPixels = centredPixels
    }
  }

  public static let settingsKey = "transINR"

  public static func problems(_ s: Settings, _ c: MethodContext) -> [String] {
    DataTokenizer.problems(patch: s.patch, dim: s.dim, depth: s.depth, heads: s.heads, key: settingsKey, task: c.task)
      + (s.groups < 1 ? ["transINR.groups: must be positive, got \(s.groups)"] : [])
  }

  public let settings: Settings
  public let hyponet: HypoNet
  public let objective: Objective
  public let tokenizer: DataTokenizer
  public let weightTokens: [Parameter]
  public let encoder: TransformerEncoder
  public let heads: [WeightHead]
  public let base: [Parameter]

  public init(_ settings: Settings, _ context: MethodContext, rng: inout RandomGenerator) {
    self.settings = settings
    hyponet = context.hyponet
    objective = context.objective
    tokenizer = DataTokenizer(context, patch: settings.patch, dim: settings.dim, centred: settings.centredPixels ?? false, rng: &rng)
    let shapes = hyponet.layerShapes
    weightTokens = shapes.map { Parameter(Tensor.normal([min(settings.groups, $0.1), settings.dim], std: 0.02, rng: &rng)) }
    encoder = TransformerEncoder(depth: settings.depth, dim: settings.dim, heads: settings.heads, rng: &rng)
    heads = shapes.map { WeightHead(dim: settings.dim, fanIn: $0.0, rng: &rng) }
    base = hyponet.initialWeights(rng: &rng).packed.map { Parameter($0) }
    super.init()
    tokenizer.register(in: self)
    for (k, t) in weightTokens.enumerated() { register("wtokens.\(k)", t) }
    register("encoder", encoder)
    for (k, h) in heads.enumerated() { register("heads.\(k)", h) }
    for (k, b) in base.enumerated() { register("base.\(k)", b) }
  }

  public var summary: String {
    "Trans-INR (patch \(settings.patch), dim \(settings.dim), depth \(settings.depth), G \(settings.groups)), \(parameterCount()) parameters"
  }

  /// The INR weights of each signal: every layer per instance.
  public func weights(for observations: Observations) -> INRWeights {
    let b = observations.batch
    let h = tokenizer.weightTokenOutputs(observations, weightTokens: weightTokens.map(\.value), encoder: encoder)
    var offset = 0
    return INRWeights(hyponet.layerShapes.enumerated().map { k, shape in
      let (fanIn, fanOut) = shape
      let g = weightTokens[k].value.shape[0]
      let out = h.slice(axis: 1, offset, offset + g)
      offset += g
      let u = heads[k](out).transposed(1, 2)  // [B, fanIn, g]
      let columns = g == fanOut ? u : u.gather(axis: 2, indices: (0..<fanOut).map { $0 % g })
      let w = (columns * base[k].value.slice(axis: 0, 0, fanIn)).l2Normalized(axis: 1)
      let bias = base[k].value.slice(axis: 0, fanIn, fanIn + 1).repeated(batch: b)
      return LayerWeights(weight: w, bias: bias)
    })
  }
}
