import Foundation
import HyperTensor

/// A Vision Transformer encoder (Dosovitskiy et al. 2021, Eq. 1-4): the image cut into P x P patches, each
/// flattened channel by channel and projected (Eq. 1; the stride-P convolution of the reference code), a
/// class token in front, learned position embeddings added, then pre-LN blocks and a final LayerNorm
/// (`TransformerEncoder`, whose packed q/k/v projection takes ViT's three separate ones). `load(folder:)`
/// reads a Hugging Face ViTModel folder through a key table. Images of another size (a multiple of the
/// patch) get the patch position embeddings resized bicubically to their grid, as the reference code's
/// interpolate_pos_encoding does.
public final class ViTEncoder: Module {
  public let config: ViTConfig
  /// The patch projection as the convolution stores it, [dim, channels, P, P], and its bias.
  public let patchWeight: Parameter, patchBias: Parameter
  public let classToken: Parameter, positions: Parameter
  public let encoder: TransformerEncoder

  public init(_ config: ViTConfig, rng: inout RandomGenerator) {
    precondition(config.problems.isEmpty, config.problems.joined(separator: "; "))
    self.config = config
    let d = config.hiddenSize, p = config.patchSize, c = config.numChannels, n = config.grid * config.grid
    let bound = 1 / Float(c * p * p).squareRoot()
    patchWeight = Parameter(Tensor.uniform([d, c, p, p], low: -bound, high: bound, rng: &rng))
    patchBias = Parameter(Tensor.zeros([d]))
    classToken = Parameter(Tensor.normal([1, 1, d], rng: &rng) * 0.02)
    positions = Parameter(Tensor.normal([1, n + 1, d], rng: &rng) * 0.02)
    encoder = TransformerEncoder(depth: config.numHiddenLayers, dim: d, heads: config.numAttentionHeads,
                                 mlpRatio: config.intermediateSize / d, eps: config.layerNormEps, rng: &rng)
    super.init()
    let patch = Module()
    patch.register("weight", patchWeight)
    patch.register("bias", patchBias)
    register("patch", patch)
    register("classToken", classToken)
    register("positions", positions)
    register("encoder", encoder)
  }

  /// The last hidden states [batch, 1 + patches, dim] (the class token first) of images [batch, channels,
  /// height, width], channel-first as the reference code takes them, height and width multiples of the patch.
  public func callAsFunction(_ images: Tensor) -> Tensor {
    let c = config.numChannels, p = config.patchSize, d = config.hiddenSize
    precondition(images.rank == 4 && images.shape[1] == c && images.shape[2] % p == 0 && images.shape[3] % p == 0
                 && images.shape[2] > 0 && images.shape[3] > 0,
                 "ViT expects [batch, \(c), height, width] with sides multiples of \(p), got \(images.shape)")
    let b = images.shape[0], gh = images.shape[2] / p, gw = images.shape[3] / p
    let patches = images.reshaped([b, c, gh, p, gw, p]).permuted([0, 2, 4, 1, 3, 5]).reshaped([b, gh * gw, c * p * p])
    let tokens = patches.linear(weight: patchWeight.value.reshaped([d, c * p * p]), bias: patchBias.value)
    let cls = Tensor.concat([Tensor](repeating: classToken.value, count: b), axis: 0)
    return encoder(Tensor.concat([cls, tokens], axis: 1) + positionEmbeddings(rows: gh, columns: gw))
  }

  /// The position embeddings [1, 1 + rows columns, dim] for a rows x columns patch grid: the stored ones at
  /// the configured grid, else the class token's followed by the patch embeddings resized bicubically
  /// (differentiable: a fixed linear map of the stored ones).
  public func positionEmbeddings(rows: Int, columns: Int) -> Tensor {
    let g = config.grid, d = config.hiddenSize
    guard rows != g || columns != g else { return positions.value }
    let map = Self.bicubic(from: g, to: rows), mapW = Self.bicubic(from: g, to: columns)
    let resize = Tensor.build([rows * columns, g * g]) { out, _ in
      for y in 0..<rows { for x in 0..<columns { for i in 0..<g { for j in 0..<g {
        out[(y * columns + x) * g * g + i * g + j] = map[y][i] * mapW[x][j]
      } } } }
    }
    let patch = positions.value.slice(axis: 1, 1, g * g + 1).reshaped([g * g, d])
    return Tensor.concat([positions.value.slice(axis: 1, 0, 1), resize.matmul(patch).reshaped([1, rows * columns, d])], axis: 1)
  }

  /// The m x n matrix of bicubic resizing from n to m samples as PyTorch's interpolate computes it (mode
  /// bicubic, align_corners false: source position (i + 1/2) n / m - 1/2, Keys' cubic convolution with
  /// a = -0.75, indices clamped to the edges).
  static func bicubic(from n: Int, to m: Int) -> [[Float]] {
    let a: Float = -0.75
    func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
    func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
    return (0..<m).map { i in
      let src = (Float(i) + 0.5) * Float(n) / Float(m) - 0.5, x0 = Int(src.rounded(.down)), t = src - Float(x0)
      var row = [Float](repeating: 0, count: n)
      for (k, w) in [far(t + 1), near(t), near(1 - t), far(2 - t)].enumerated() { row[min(max(x0 - 1 + k, 0), n - 1)] += w }
      return row
    }
  }

  /// Hugging Face's keys for each of this encoder's parameter names (ViTModel's naming; q, k and v
  /// concatenated into the packed projection).
  public var huggingFaceKeys: [String: [String]] {
    var table: [String: [String]] = [
      "patch.weight": ["embeddings.patch_embeddings.projection.weight"], "patch.bias": ["embeddings.patch_embeddings.projection.bias"],
      "classToken": ["embeddings.cls_token"], "positions": ["embeddings.position_embeddings"],
      "encoder.norm.weight": ["layernorm.weight"], "encoder.norm.bias": ["layernorm.bias"]]
    let parts = ["norm1": ["layernorm_before"], "attn.qkv": ["attention.attention.query", "attention.attention.key", "attention.attention.value"],
                 "attn.proj": ["attention.output.dense"], "norm2": ["layernorm_after"],
                 "mlp.fc1": ["intermediate.dense"], "mlp.fc2": ["output.dense"]]
    for i in encoder.blocks.indices {
      for (ours, theirs) in parts {
        for p in ["weight", "bias"] { table["encoder.blocks.\(i).\(ours).\(p)"] = theirs.map { "encoder.layer.\(i).\($0).\(p)" } }
      }
    }
    return table
  }

  /// An encoder with the weights of a Hugging Face ViT folder (`config.json`, `model.safetensors`); every
  /// missing, unexpected or mis-shaped key is an error that names it. The pooler is not an encoder weight
  /// and is skipped.
  public static func load(folder: URL) throws -> ViTEncoder {
    let config = try HuggingFaceFolder.config(ViTConfig.self, in: folder) { $0.problems }
    try HuggingFaceFolder.requireWeights(in: folder, parameters: config.parameterCount, model: "a ViT encoder")
    var rng = RandomGenerator(seed: 0)
    let model = ViTEncoder(config, rng: &rng)
    try HuggingFaceFolder.loadWeights(into: model, from: folder, table: model.huggingFaceKeys, ignored: { $0.hasPrefix("pooler.") },
                                      model: "a \(config.numHiddenLayers)-layer ViT encoder")
    return model
  }
}
