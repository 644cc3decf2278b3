import Foundation

/// The sizes of a ViT encoder (Dosovitskiy et al. 2021), decoded from a Hugging Face `config.json` of
/// `model_type` vit (its key names).
public struct ViTConfig: Codable, Equatable, Sendable {
  public var modelType: String
  public var hiddenSize: Int
  public var numHiddenLayers: Int
  public var numAttentionHeads: Int
  public var intermediateSize: Int
  public var imageSize: Int
  public var patchSize: Int
  public var numChannels: Int
  public var layerNormEps: Float
  public var hiddenAct: String

  enum CodingKeys: String, CodingKey {
    case modelType = "model_type", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
    case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size", imageSize = "image_size"
    case patchSize = "patch_size", numChannels = "num_channels", layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
  }

  /// Patches along each side of the configured image.
  public var grid: Int { imageSize / patchSize }

  /// The encoder's parameter count (patch projection, class token, position embeddings, per block the
  /// packed q/k/v, output and feed-forward layers with their biases and two LayerNorms, the final LayerNorm).
  public var parameterCount: Int {
    let d = hiddenSize, i = intermediateSize
    return d * numChannels * patchSize * patchSize + d + d + (grid * grid + 1) * d
      + numHiddenLayers * (4 * (d * d + d) + 2 * d * i + i + d + 4 * d) + 2 * d
  }

  /// What this implementation cannot build (empty when usable).
  public var problems: [String] {
    var out: [String] = []
    if modelType != "vit" { out.append("model_type '\(modelType)' is not a ViT encoder") }
    if hiddenAct != "gelu" { out.append("hidden_act '\(hiddenAct)' is not supported (gelu)") }
    for (name, v, r) in [("hidden_size", hiddenSize, 1...8192), ("num_hidden_layers", numHiddenLayers, 1...128),
                         ("num_attention_heads", numAttentionHeads, 1...256), ("intermediate_size", intermediateSize, 1...65536),
                         ("image_size", imageSize, 1...4096), ("patch_size", patchSize, 1...512), ("num_channels", numChannels, 1...16)]
    where !r.contains(v) {
      out.append("\(name) must be in \(r), got \(v)")
    }
    if out.isEmpty {
      if hiddenSize % numAttentionHeads != 0 { out.append("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)") }
      if intermediateSize % hiddenSize != 0 { out.append("intermediate_size \(intermediateSize) is not a multiple of hidden_size \(hiddenSize)") }
      if imageSize % patchSize != 0 { out.append("image_size \(imageSize) is not a multiple of patch_size \(patchSize)") }
    }
    if !(layerNormEps > 0 && layerNormEps < 1) { out.append("layer_norm_eps must be in (0, 1), got \(layerNormEps)") }
    return out
  }
}
