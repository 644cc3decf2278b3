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

  /// The last hidden states [batch, tokens, hidden] of sequences of token ids, all of one length (token
  /// type 0, positions from 0, no padding: there is no attention mask yet).
  public func callAsFunction(_ ids: [[Int]]) -> Tensor {
    let t = ids.first?.count ?? 0, d = config.hiddenSize
    precondition(t >= 1 && ids.allSatisfy { $0.count == t }, "sequences must be non-empty and of one length")
    precondition(t <= config.maxPositionEmbeddings, "\(t) tokens, the model has \(config.maxPositionEmbeddings) positions")
    precondition(ids.joined().allSatisfy { (0..<config.vocabSize).contains($0) }, "token ids must lie in 0..<\(config.vocabSize)")
    let tokens = word(Array(ids.joined())).reshaped([ids.count, t, d])
    var x = norm(tokens + position(Array(0..<t)) + tokenType([0]))
    for b in blocks { x = b(x) }
    return x
  }

  /// Mean of the hidden states over the tokens, L2-normalised: sentence-transformers' embedding of
  /// all-MiniLM-L6-v2 (mean pooling, then Normalize) for unpadded sequences (every token counts; padded
  /// batches need attention masks, not built yet). [batch, hidden].
  public static func sentenceEmbedding(_ hidden: Tensor) -> Tensor {
    let m = hidden.mean(axis: 1)
    return m / (m.square().sum(axis: 1, keepdims: true).sqrt() + 1e-12)
  }

  /// Hugging Face's key for each of this encoder's parameter names (BERT's `BertModel` naming).
  public var huggingFaceKeys: [String: String] {
    var table = ["embed.word.weight": "embeddings.word_embeddings.weight",
                 "embed.position.weight": "embeddings.position_embeddings.weight",
                 "embed.tokenType.weight": "embeddings.token_type_embeddings.weight",
                 "embed.norm.weight": "embeddings.LayerNorm.weight", "embed.norm.bias": "embeddings.LayerNorm.bias"]
    let parts = ["q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                 "proj": "attention.output.dense", "norm1": "attention.output.LayerNorm",
                 "fc1": "intermediate.dense", "fc2": "output.dense", "norm2": "output.LayerNorm"]
    for i in blocks.indices {
      for (ours, theirs) in parts {
        for p in ["weight", "bias"] { table["blocks.\(i).\(ours).\(p)"] = "encoder.layer.\(i).\(theirs).\(p)" }
      }
    }
    return table
  }

  /// Keys of BERT checkpoints that hold no encoder weight: the pooler (unused by token and sentence
  /// embeddings) and the position-id buffer.
  static func isIgnoredKey(_ key: String) -> Bool { key.hasPrefix("pooler.") || key == "embeddings.position_ids" }

  /// An encoder with the weights of a Hugging Face folder (`config.json`, `model.safetensors`); every
  /// missing, unexpected or mis-shaped key is an error that names it.
  public static func load(folder: URL) throws -> BERTEncoder {
    let config = try BERTConfig.load(folder.appendingPathComponent("config.json"))
    var rng = RandomGenerator(seed: 0)
    let model = BERTEncoder(config, rng: &rng)
    let file = folder.appendingPathComponent("model.safetensors")
    let stored = try SafeTensors.read(file).dictionary
    let table = model.huggingFaceKeys
    let known = Set(table.values)
    if let extra = stored.keys.sorted().first(where: { !known.contains($0) && !isIgnoredKey($0) }) {
      throw CheckpointError(description: "\(file.path): unexpected tensor '\(extra)' for a \(config.numHiddenLayers)-layer BERT encoder")
    }
    var renamed: [String: Tensor] = [:]
    for (ours, p) in model.namedParameters() {
      let theirs = table[ours]!
      guard let t = stored[theirs] else { throw CheckpointError(description: "\(file.path): missing tensor '\(theirs)'") }
      guard t.shape == p.shape else {
        throw CheckpointError(description: "\(file.path): tensor '\(theirs)' has shape \(t.shape), config.json implies \(p.shape)")
      }
      renamed[ours] = t
    }
    try model.load(renamed, source: file.path)
    return model
  }
}
