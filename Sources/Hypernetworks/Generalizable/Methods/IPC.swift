import HyperNN
import HyperTensor
import NeuralFields

/// Instance Pattern Composers with a transformer (IPC Sec. 3.3): data tokens of the signal (as Trans-INR)
/// and r learned weight tokens go through a transformer encoder; each weight token's output goes through
/// LayerNorm + Linear(D, fanIn) to one column of U [fanIn, r], which composes the modulated layer's weight
/// normalize(U V) of an otherwise shared INR (`ComposedINR`).
public final class IPC: Module, RegisteredMethod {
  public struct Settings: Codable, Equatable, Sendable {
    public var patch: Int
    public var dim: Int
    public var depth: Int
    public var heads: Int
    /// Rank r of the instance pattern composer (= the number of weight tokens).
    public var rank: Int
    /// The INR layer whose weight is modulated (absent: 1, the second layer, as the authors' code).
    public var modulatedLayer: Int?
    /// Tokenize 2 x - 1 instead of x (absent: false).
    public var centredPixels: Bool?

    public init(patch: Int, dim: Int, depth: Int, heads: Int, rank: Int, modulatedLayer: Int? = nil, centredPixels: Bool? = nil) {
      self.patch = patch
      self.dim = dim
      self.depth = depth
      self.heads = heads
      self.rank = rank
      self.modulatedLayer = modulatedLayer
      self.centredPixels = centredPixels
    }
  }

  public static let settingsKey = "ipc"

  public static func problems(_ s: Settings, _ c: MethodContext) -> [String] {
    DataTokenizer.problems(patch: s.patch, dim: s.dim, depth: s.depth, heads: s.heads, key: settingsKey, task: c.task)
      + ComposedINR.problems(modulatedLayer: s.modulatedLayer ?? 1, rank: s.rank, key: settingsKey, hyponet: c.hyponet)
  }

  public let settings: Settings
  public let hyponet: HypoNet
  public let objective: Objective
  public let tokenizer: DataTokenizer
  public let weightTokens: Parameter
  public let encoder: TransformerEncoder
  public let head: WeightHead
  public let inr: ComposedINR

  public init(_ settings: Settings, _ context: MethodContext, rng: inout RandomGenerator) {
    self.settings = settings
    hyponet = context.hyponet
    objective = context.objective
    tokenizer = DataTokenizer(context, patch: settings.patch, dim: settings.dim, centred: settings.centredPixels ?? false, rng: &rng)
    weightTokens = Parameter(Tensor.normal([settings.rank, settings.dim], std: 0.02, rng: &rng))
    encoder = TransformerEncoder(depth: settings.depth, dim: settings.dim, heads: settings.heads, rng: &rng)
    inr = ComposedINR(hyponet: hyponet, modulatedLayer: settings.modulatedLayer ?? 1, rank: settings.rank, rng: &rng)
    head = WeightHead(dim: settings.dim, fanIn: inr.fanIn, rng: &rng)
    super.init()
    tokenizer.register(in: self)
    register("wtokens", weightTokens)
    register("encoder", encoder)
    register("head", head)
    register("inr", inr)
  }

  public var summary: String {
    "IPC (patch \(settings.patch), dim \(settings.dim), depth \(settings.depth), rank \(settings.rank), layer \(inr.modulatedLayer) modulated), \(parameterCount()) parameters"
  }

  public func weights(for observations: Observations) -> INRWeights {
    let h = tokenizer.weightTokenOutputs(observations, weightTokens: [weightTokens.value], encoder: encoder)
    return inr.weights(u: head(h).transposed(1, 2))  // U [B, fanIn, r]
  }
}
