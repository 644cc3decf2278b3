import Foundation

/// The sizes of a BERT-family encoder, decoded from a Hugging Face `config.json` (its key names).
public struct BERTConfig: Codable, Equatable, Sendable {
  public var modelType: String
  public var vocabSize: Int
  public var hiddenSize: Int
  public var numHiddenLayers: Int
  public var numAttentionHeads: Int
  public var intermediateSize: Int
  public var maxPositionEmbeddings: Int
  public var typeVocabSize: Int
  public var layerNormEps: Float
  public var hiddenAct: String

  enum CodingKeys: String, CodingKey {
    case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
    case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
    case intermediateSize = "intermediate_size", maxPositionEmbeddings = "max_position_embeddings"
    case typeVocabSize = "type_vocab_size", layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
  }

  public init(vocabSize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
              maxPositions: Int = 512, typeVocabSize: Int = 2, layerNormEps: Float = 1e-12) {
    (modelType, self.vocabSize, self.hiddenSize, numHiddenLayers, numAttentionHeads) = ("bert", vocabSize, hiddenSize, layers, heads)
    (self.intermediateSize, maxPositionEmbeddings, self.typeVocabSize, self.layerNormEps, hiddenAct) =
      (intermediateSize, maxPositions, typeVocabSize, layerNormEps, "gelu")
  }

  /// Reads and checks `folder/config.json`; errors name the file and the key.
  public static func load(folder: URL) throws -> BERTConfig {
    try HuggingFaceFolder.config(BERTConfig.self, in: folder) { $0.problems }
  }

  /// The encoder's parameter count (embeddings, their LayerNorm, and per block the q, k, v, output and
  /// feed-forward layers with their biases and two LayerNorms; no pooler).
  public var parameterCount: Int {
    let d = hiddenSize, i = intermediateSize
    return (vocabSize + maxPositionEmbeddings + typeVocabSize) * d + 2 * d + numHiddenLayers * (4 * (d * d + d) + 2 * d * i + i + d + 4 * d)
  }

  /// What this implementation cannot build (empty when usable).
  public var problems: [String] {
    var out: [String] = []
    if !["bert"].contains(modelType) { out.append("model_type '\(modelType)' is not a supported encoder (supported: bert, vit)") }
    if hiddenAct != "gelu" { out.append("hidden_act '\(hiddenAct)' is not supported (gelu)") }
    for (name, v, r) in [("vocab_size", vocabSize, 1...1_000_000), ("hidden_size", hiddenSize, 1...8192),
                         ("num_hidden_layers", numHiddenLayers, 1...128), ("num_attention_heads", numAttentionHeads, 1...256),
                         ("intermediate_size", intermediateSize, 1...65536), ("max_position_embeddings", maxPositionEmbeddings, 1...65536),
                         ("type_vocab_size", typeVocabSize, 1...16)] where !r.contains(v) {
      out.append("\(name) must be in \(r), got \(v)")
    }
    if numAttentionHeads > 0 && hiddenSize % numAttentionHeads != 0 {
      out.append("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
    }
    if !(layerNormEps > 0 && layerNormEps < 1) { out.append("layer_norm_eps must be in (0, 1), got \(layerNormEps)") }
    return out
  }
}
