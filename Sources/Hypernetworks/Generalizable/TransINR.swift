import HyperNN
import HyperTensor
import NeuralFields

/// Trans-INR (Chen & Wang, "Transformers as Meta-Learners for Implicit Neural Representations", ECCV 2022):
/// an image is cut into P x P patches, each projected to a data token (plus a learned position embedding);
/// learned weight tokens, g_k = min(G, fanOut_k) per INR layer, are appended; a transformer encoder mixes
/// them; each layer's weight-token outputs go through LayerNorm + Linear(D, fanIn_k) to g_k vectors u.
/// Weight grouping (Sec. 3.4): column j of layer k is normalize(u_(j mod g) * w_base[:, j]) with unit L2
/// over fanIn; the bias row is the layer's shared learned base bias.
public final class TransINR: Module {
  public struct Config: Codable, Equatable, Sendable {
    public var imageSize: Int
    public var channels: Int
    public var patch: Int
    public var dim: Int
    public var depth: Int
    public var heads: Int
    /// Weight-token groups per layer (G).
    public var groups: Int
    public var hyponet: HypoNet
    /// The tokenizer sees 2 x - 1 instead of the [0, 1] pixels x. With one large patch, raw pixels give every
    /// token a large shared term (their mean times the summed weights) that swamps the content.
    public var centredPixels: Bool

    public init(imageSize: Int, channels: Int, patch: Int, dim: Int, depth: Int, heads: Int, groups: Int, hyponet: HypoNet,
                centredPixels: Bool = false) {
      self.imageSize = imageSize
      self.channels = channels
      self.patch = patch
      self.dim = dim
      self.depth = depth
      self.heads = heads
      self.groups = groups
      self.hyponet = hyponet
      self.centredPixels = centredPixels
    }

    public var patchesPerSide: Int { imageSize / patch }
  }

  public let config: Config
  public let tokenizer: Linear
  public let positions: Parameter
  public let weightTokens: [Parameter]
  public let encoder: TransformerEncoder
  public let heads: [(LayerNorm, Linear)]
  public let base: [Parameter]

  public init(_ config: Config, rng: inout RandomGenerator) {
    precondition(config.imageSize % config.patch == 0, "image size \(config.imageSize) is not a multiple of patch \(config.patch)")
    precondition(config.hyponet.inputDim == 2 && config.hyponet.outputDim == config.channels, "the hyponet must map 2-D coordinates to \(config.channels) channels")
    self.config = config
    let n = config.patchesPerSide * config.patchesPerSide
    tokenizer = Linear(config.patch * config.patch * config.channels, config.dim, rng: &rng)
    positions = Parameter(Tensor.normal([n, config.dim], std: 0.02, rng: &rng))
    let shapes = config.hyponet.layerShapes
    weightTokens = shapes.map { Parameter(Tensor.normal([min(config.groups, $0.1), config.dim], std: 0.02, rng: &rng)) }
    encoder = TransformerEncoder(depth: config.depth, dim: config.dim, heads: config.heads, rng: &rng)
    heads = shapes.map { (LayerNorm(config.dim), Linear(config.dim, $0.0, rng: &rng)) }
    base = config.hyponet.initialParameters(rng: &rng).map { Parameter($0) }
    super.init()
    register("tokenizer", tokenizer)
    register("pos_emb", positions)
    for (k, t) in weightTokens.enumerated() { register("wtokens.\(k)", t) }
    register("encoder", encoder)
    for (k, h) in heads.enumerated() {
      let m = Module()
      m.register("norm", h.0)
      m.register("linear", h.1)
      register("heads.\(k)", m)
    }
    for (k, b) in base.enumerated() { register("base.\(k)", b) }
  }

  /// Images [B, S, S, C] -> data tokens [B, (S/P)^2, P * P * C] in row-major patch order.
  public func patchify(_ images: Tensor) -> Tensor {
    let b = images.shape[0], s = config.imageSize, p = config.patch, c = config.channels, q = config.patchesPerSide
    precondition(images.shape == [b, s, s, c], "Trans-INR expects [B, \(s), \(s), \(c)] images, got \(images.shape)")
    return images.reshaped([b, q, p, q, p, c]).permuted([0, 1, 3, 2, 4, 5]).reshaped([b, q * q, p * p * c])
  }

  /// The INR parameters of each image: layer k as [B, fanIn + 1, fanOut].
  public func callAsFunction(_ images: Tensor) -> [Tensor] {
    let b = images.shape[0], d = config.dim
    let data = tokenizer(patchify(config.centredPixels ? images * 2 - 1 : images)) + positions.value
    let wt = weightTokens.map { $0.value.unsqueezed(0).broadcast(to: [b, $0.value.shape[0], d]) }
    var h = encoder(Tensor.concat([data] + wt, axis: 1))
    h = h.slice(axis: 1, data.shape[1], h.shape[1])
    var offset = 0
    return config.hyponet.layerShapes.enumerated().map { k, shape in
      let (fanIn, fanOut) = shape
      let g = weightTokens[k].value.shape[0]
      let tokens = h.slice(axis: 1, offset, offset + g)
      offset += g
      let u = heads[k].1(heads[k].0(tokens)).transposed(1, 2)  // [B, fanIn, g]
      let columns = g == fanOut ? u : u.gather(axis: 2, indices: (0..<fanOut).map { $0 % g })
      let w = (columns * base[k].value.slice(axis: 0, 0, fanIn)).l2Normalized(axis: 1)
      let bias = base[k].value.slice(axis: 0, fanIn, fanIn + 1).unsqueezed(0).broadcast(to: [b, 1, fanOut])
      return Tensor.concat([w, bias], axis: 1)
    }
  }

  /// Reconstructions [B, N, C] at coordinates [N, 2].
  public func reconstruct(_ images: Tensor, at coords: Tensor) -> Tensor { config.hyponet(coords, self(images)) }

  /// Test-time optimisation (Trans-INR Table 4): `steps` Adam steps on the generated INR weights themselves
  /// (detached from the transformer) against observations `targets` [B, N, C] at `coords` [N, 2].
  public func testTimeOptimized(_ params: [Tensor], coords: Tensor, targets: Tensor, steps: Int, learningRate: Float = 1e-4) -> [Tensor] {
    guard steps > 0 else { return params }
    let weights = FieldParameters(params.map { $0.detached() })
    let opt = Adam(learningRate: learningRate)
    for _ in 0..<steps { opt.minimize(weights) { Loss.mse(config.hyponet(coords, weights.values), targets) } }
    return weights.values.map { $0.detached() }
  }
}
