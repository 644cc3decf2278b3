import Foundation
import HyperTensor

/// A BERT-family encoder (Devlin et al. 2019, Sec. 3): token, position and token-type embeddings summed and
/// layer-normalised ("embed"), then post-LN blocks ("blocks.N", `PostLNBlock`). `load(folder:)` reads a
/// Hugging Face folder (`config.json` + `model.safetensors`) through a table from its key names to these.
public final class BERTEncoder: Module {
  public let config: BERTConfig
  public let word: Embedding, position: Embedding, tokenType: Embedding, norm: LayerNorm
  public let blocks: [PostLNBlock]

  public init(_ config: BERTConfig, rng: inout RandomGenerator) {
    precondition(config.problems.isEmpty, config.problems.joined(separator: "; "))
    self.config = config
    let d = config.hiddenSize
    word = Embedding(config.vocabSize, d, rng: &rng)
    position = Embedding(config.maxPositionEmbeddings, d, rng: &rng)
    tokenType = Embedding(config.typeVocabSize, d, rng: &rng)
    norm = LayerNorm(d, eps: config.layerNormEps)
    blocks = (0..<config.numHiddenLayers).map { _ in
      PostLNBlock(dim: d, heads: config.numAttentionHeads, hidden: config.intermediateSize, eps: config.layerNormEps, rng: &rng)
    }
    super.init()
    let embed = Module()
    embed.register("word", word)
    embed.register("position", position)
    embed.register("tokenType", tokenType)
    embed.register("norm", norm)
    register("embed", embed)
    let stack = Module()
    for (i, b) in blocks.enumerated() { stack.register("\(i)", b) }
    register("blocks", stack)
  }

  /// The last hidden states [batch, tokens, hidden] of sequences of token ids (token type 0, positions from
  /// 0). Sequences of different lengths are padded to the longest with id 0 and their padding masked in
  /// attention (BERT's attention mask), so each sequence's states are those it has alone; the padded rows'
  /// states are meaningless (`sentenceEmbedding(_:lengths:)` leaves them out).
  public func callAsFunction(_ ids: [[Int]]) -> Tensor {
    let lengths = ids.map(\.count), t = lengths.max() ?? 0, d = config.hiddenSize
    precondition(!ids.isEmpty && lengths.allSatisfy { $0 >= 1 }, "sequences must be non-empty")
    precondition(t <= config.maxPositionEmbeddings, "\(t) tokens, the model has \(config.maxPositionEmbeddings) positions")
    precondition(ids.joined().allSatisfy { (0..<config.vocabSize).contains($0) }, "token ids must lie in 0..<\(config.vocabSize)")
    let padded = ids.flatMap { $0 + [Int](repeating: 0, count: t - $0.count) }
    let mask = lengths.allSatisfy { $0 == t } ? nil : lengths
    var x = norm(word(padded).reshaped([ids.count, t, d]) + position(Array(0..<t)) + tokenType([0]))
    for b in blocks { x = b(x, keyLengths: mask) }
    return x
  }

  /// Mean of each sequence's hidden states over its first lengths[i] tokens (all when nil), L2-normalised:
  /// sentence-transformers' embedding of all-MiniLM-L6-v2 (mean pooling with the attention mask, then
  /// Normalize) for sequences within its max_seq_length of 256 tokens (sentence-transformers truncates
  /// longer ones; truncate the ids to match it). [batch, hidden].
  public static func sentenceEmbedding(_ hidden: Tensor, lengths: [Int]? = nil) -> Tensor {
    let b = hidden.shape[0], t = hidden.shape[1]
    let n = lengths ?? [Int](repeating: t, count: b)
    precondition(n.count == b && n.allSatisfy { $0 >= 1 && $0 <= t }, "sentenceEmbedding needs one length in 1...\(t) per sequence, got \(n)")
    let weights = Tensor(shape: [b, t, 1], scalars: n.flatMap { k in (0..<t).map { $0 < k ? 1 / Float(k) : 0 } })
    let m = (hidden * weights).sum(axis: 1)
    return m / (m.square().sum(axis: 1, keepdims: true).sqrt() + 1e-12)
  }

  /// Hugging Face's keys for each of this encoder's parameter names (BERT's `BertModel` naming; query, key
  /// and value concatenated into the packed projection).
  public var huggingFaceKeys: [String: [String]] {
    var table: [String: [String]] = [
      "embed.word.weight": ["embeddings.word_embeddings.weight"], "embed.position.weight": ["embeddings.position_embeddings.weight"],
      "embed.tokenType.weight": ["embeddings.token_type_embeddings.weight"],
      "embed.norm.weight": ["embeddings.LayerNorm.weight"], "embed.norm.bias": ["embeddings.LayerNorm.bias"]]
    let parts = ["attn.qkv": ["attention.self.query", "attention.self.key", "attention.self.value"],
                 "attn.proj": ["attention.output.dense"], "norm1": ["attention.output.LayerNorm"],
                 "fc1": ["intermediate.dense"], "fc2": ["output.dense"], "norm2": ["output.LayerNorm"]]
    for i in blocks.indices {
      for (ours, theirs) in parts {
        for p in ["weight", "bias"] { table["blocks.\(i).\(ours).\(p)"] = theirs.map { "encoder.layer.\(i).\($0).\(p)" } }
      }
    }
    return table
  }

  /// An encoder with the weights of a Hugging Face folder (`config.json`, `model.safetensors`); every
  /// missing, unexpected or mis-shaped key is an error that names it. The pooler and the position-id buffer
  /// are not encoder weights and are skipped.
  public static func load(folder: URL) throws -> BERTEncoder {
    let config = try BERTConfig.load(folder: folder)
    try HuggingFaceFolder.requireWeights(in: folder, parameters: config.parameterCount, model: "a BERT encoder")
    var rng = RandomGenerator(seed: 0)
    let model = BERTEncoder(config, rng: &rng)
    try HuggingFaceFolder.loadWeights(into: model, from: folder, table: model.huggingFaceKeys,
                                      ignored: { $0.hasPrefix("pooler.") || $0 == "embeddings.position_ids" },
                                      model: "a \(config.numHiddenLayers)-layer BERT encoder")
    return model
  }
}
