import HyperNN
import HyperTensor

/// The data tokens of the transformer hypernetworks (Trans-INR Sec. 3.2, IPC): patches of the observed
/// signal (with the observation mask as one more channel when the patches have it: a partial
/// observation), each projected by a Linear to dim D, plus a learned position embedding — except for ray
/// tokens (view synthesis, Sec. 4.2), whose channels carry their rays. Registers its parameters in the
/// owning method as "tokenizer" and "pos_emb".
public final class DataTokenizer {
  public let patches: GridPatches
  public let linear: Linear
  public let positions: Parameter?
  /// Tokenize 2 x - 1 instead of x.
  public let centred: Bool

  /// The tokenizer of `context`'s task with P x P patches.
  public init(_ context: MethodContext, patch: Int, dim: Int, centred: Bool, rng: inout RandomGenerator) {
    patches = context.patches(patch)
    self.centred = centred
    linear = Linear(patches.tokenDim, dim, rng: &rng)
    positions = context.task.tokenPositions ? Parameter(Tensor.normal([patches.count, dim], std: 0.02, rng: &rng)) : nil
  }

  public func register(in module: Module) {
    module.register("tokenizer", linear)
    if let positions { module.register("pos_emb", positions) }
  }

  /// Signals [B, grid..., C] -> data tokens [B, n, D]. Unobserved samples (zero in a partial
  /// observation) stay zero after centring.
  public func callAsFunction(_ observations: Observations) -> Tensor {
    var x = observations.signals
    if centred { x = observations.mask.map { (x * 2 - 1) * $0 } ?? x * 2 - 1 }
    if patches.channels > x.shape[x.rank - 1] {
      let mask = observations.mask ?? Tensor.ones(Array(x.shape.dropLast()) + [1])
      x = Tensor.concat([x, mask], axis: x.rank - 1)
    }
    let tokens = linear(patches(x))
    return positions.map { tokens + $0.value } ?? tokens
  }

  /// The transformer hypernetworks' forward pass up to their heads: data tokens of the observations,
  /// then the learned weight tokens (each [g, D], the same for every instance) appended, through `encoder`;
  /// returns the outputs at the weight tokens [B, sum g, D].
  public func weightTokenOutputs(_ observations: Observations, weightTokens: [Tensor], encoder: TransformerEncoder) -> Tensor {
    let data = self(observations), b = observations.batch
    let wt = weightTokens.map { $0.repeated(batch: b) }
    let tokens = Tensor.concat([data] + wt, axis: 1)
    return encoder(tokens, outputs: data.shape[1]..<tokens.shape[1])
  }

  /// The checks shared by the transformer methods, as "key.field: expected" lines.
  public static func problems(patch: Int, dim: Int, depth: Int, heads: Int, key: String, task: any INRTask) -> [String] {
    var p: [String] = []
    let grid = task.observedGrid
    if patch < 1 || grid.contains(where: { $0 % patch != 0 }) {
      p.append("\(key).patch: must divide the signal size \(grid.map(String.init).joined(separator: "x")), got \(patch)")
    }
    if grid.count > 2 { p.append("\(key): patches of \(grid.count)-D signals are not supported") }
    if heads < 1 || dim < 1 || dim % heads != 0 { p.append("\(key).heads: must divide \(key).dim \(dim), got \(heads)") }
    if depth < 1 { p.append("\(key).depth: must be positive, got \(depth)") }
    return p
  }
}

/// The output head of one INR layer's weight tokens: LayerNorm, then Linear(D, fanIn).
public final class WeightHead: Module, Layer {
  public let norm: LayerNorm
  public let linear: Linear

  public init(dim: Int, fanIn: Int, rng: inout RandomGenerator) {
    norm = LayerNorm(dim)
    linear = Linear(dim, fanIn, rng: &rng)
    super.init()
    register("norm", norm)
    register("linear", linear)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { linear(norm(x)) }
}
