import Foundation
import HyperNN
import Hypernetworks
import NeuralFields
import Signals
import Yams

/// The parsers HyperINR runs on untrusted files, each as a fuzz target: the bytes go through the same
/// entry point a command uses (through a file where the loader reads paths), and then through what a
/// command does next with the result (a model is decoded at a small size, a `.hinr` generates its SIREN,
/// a config is checked). A thrown error is a correct answer; a trap, hang or runaway allocation is a bug.
enum FuzzTarget: String, CaseIterable {
  case png, jpeg, wav, obj, ply, safetensors, model, hinr, config

  /// Where path-based loaders read the input: a per-process file in shared memory when there is one.
  private static let scratch: URL = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return URL(fileURLWithPath: dir).appendingPathComponent("hyperinr-fuzz-\(getpid())")
  }()

  /// The largest latent x weights product a fuzzed `.hinr` may generate (the decoder allows 2^36, tens of
  /// seconds; the header checks up to that bound are what the fuzzer exercises).
  static let hinrGenerationWork = 1 << 22

  /// Runs one input; returns whether it was accepted (false: refused with an error).
  @discardableResult
  func run(_ data: Data) -> Bool {
    do {
      try body(data)
      return true
    } catch {
      return false
    }
  }

  private func file(_ data: Data, _ ext: String) throws -> URL {
    let url = Self.scratch.appendingPathExtension(ext)
    try data.write(to: url)
    return url
  }

  private func body(_ data: Data) throws {
    switch self {
    case .png, .jpeg:
      let img = try Image.load(file(data, rawValue == "png" ? "png" : "jpg"))
      _ = img.bytes()
    case .wav:
      _ = try FieldSignal.load(file(data, "wav"))
    case .obj, .ply:
      // The command's occupancy sampling with 512 points instead of 200k (the parser is what is fuzzed).
      _ = FieldSignal.occupancy(try Mesh.load(file(data, rawValue)), seed: 1, uniform: 256, nearSurface: 256)
    case .safetensors:
      _ = try SafeTensors.decode(data)
    case .model:
      let url = try file(data, "safetensors")
      if let m = try? FittedModel.load(url) {
        switch m.signal.kind {
        case .image: _ = try m.image(height: 4, width: 4).bytes()
        case .audio: _ = try m.audio(sampleRate: 8)
        case .occupancy: _ = try m.occupancyLogits(resolution: 2)
        }
      } else {
        let g = try GeneralizableModel.load(url)
        _ = g.config.problems()
      }
    case .hinr:
      // Mutants nearly always break the CRC-32; the header checks behind it are reached by re-sealing.
      var sealed = data
      if sealed.count >= 4 {
        withUnsafeBytes(of: CompressedField.checksum(data.prefix(data.count - 4)).littleEndian) { sealed.replaceSubrange(data.count - 4..<data.count, with: $0) }
      }
      if sealed != data { _ = try? CompressedField.decode(data, path: "fuzz.hinr") }
      let f = try CompressedField.decode(sealed, path: "fuzz.hinr")
      let weights = f.net.layerShapes.reduce(0) { $0 + $1.0 * $1.1 }
      if f.latentDim * weights <= Self.hinrGenerationWork { _ = DOHCodec.fittedModel(f) }
    case .config:
      guard let text = String(data: data, encoding: .utf8) else { throw SignalError("fuzz.yaml", "not UTF-8") }
      _ = try YAMLDecoder().decode(TrainingConfig.self, from: text).problems()
    }
  }
}
