import Foundation
import HyperTensor

/// A Vision Transformer encoder (Dosovitskiy et al. 2021, Eq. 1-4): the image cut into P x P patches, each
/// flattened channel by channel and projected (Eq. 1; the stride-P convolution of the reference code), a
/// class token in front, learned position embeddings added, then pre-LN blocks and a final LayerNorm
/// (`TransformerEncoder`, whose packed q/k/v projection takes ViT's three separate ones). `load(folder:)`
/// reads a Hugging Face ViTModel folder through a key table. Position embeddings are used at the
/// configured image size (no interpolation to other grids yet).
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
  /// size, size], channel-first as the reference code takes them, at the configured size.
  public func callAsFunction(_ images: Tensor) -> Tensor {
    let c = config.numChannels, s = config.imageSize, p = config.patchSize, g = config.grid, d = config.hiddenSize
    precondition(images.rank == 4 && Array(images.shape.dropFirst()) == [c, s, s], "ViT expects [batch, \(c), \(s), \(s)], got \(images.shape)")
    let b = images.shape[0]
    let patches = images.reshaped([b, c, g, p, g, p]).permuted([0, 2, 4, 1, 3, 5]).reshaped([b, g * g, c * p * p])
    let tokens = patches.linear(weight: patchWeight.value.reshaped([d, c * p * p]), bias: patchBias.value)
    let cls = Tensor.concat([Tensor](repeating: classToken.value, count: b), axis: 0)
    return encoder(Tensor.concat([cls, tokens], axis: 1) + positions.value)
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
