import Foundation
import Hypernetworks
import NeuralFields
import Signals

/// The YAML configuration of `hyperinr rd` (see experiments/doh-kodak.yaml for a commented example).
struct RateDistortionConfig: Codable {
  struct DOH: Codable {
    /// Target SIREN hidden layers and the widths that span the rate axis.
    var layers: Int
    var widths: [Int]
    /// Latent sizes as fractions of the target's parameters.
    var fractions: [Double]
    var bits: Int
    var lr: Float
  }
  struct MLP: Codable {
    var layers: Int
    var lr: Float
  }
  struct Ablation: Codable {
    var width: Int
    var fraction: Double
    var bits: [Int]
  }
  struct Algorithm1: Codable {
    var width: Int
    var fitSteps: Int
    var fineTuneSteps: Int
  }
  struct FullResolution: Codable {
    var images: [String]
    var width: Int
    var fraction: Double
    var steps: Int
  }
  struct Reference: Codable {
    var name: String
    /// [bpp, PSNR dB] pairs.
    var points: [[Double]]
  }

  /// Image paths, relative to the configuration file's folder unless absolute.
  var images: [String]
  /// Integer shrink factor of the RD images (antialiased resize, then rounded to 8 bits).
  var downsample: Int
  var steps: Int
  /// Pixels per step (0: all).
  var batch: Int
  var seed: UInt64
  var doh: DOH
  var mlp: MLP
  var jpeg: Bool
  var ablation: Ablation
  var algorithm1: Algorithm1?
  var fullResolution: FullResolution?
  var reference: Reference?
  /// Protocol remarks copied into the report (how settings were chosen, and so on).
  var notes: [String]?

  /// Loads and checks a configuration; image paths come back resolved against the file's folder.
  static func load(_ path: String) throws -> RateDistortionConfig {
    var c = try ConfigFile.load(RateDistortionConfig.self, from: path)
    let base = URL(fileURLWithPath: path).deletingLastPathComponent()
    func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path }
    c.images = c.images.map(resolve)
    if let full = c.fullResolution?.images { c.fullResolution?.images = full.map(resolve) }
    func fail(_ why: String) -> SignalError { SignalError(path, why) }
    guard !c.images.isEmpty else { throw fail("'images' is empty") }
    let sizes = [Limits.check("downsample", c.downsample, 1...64), Limits.check("steps", c.steps, Limits.steps),
                 Limits.check("batch", c.batch, Limits.coordinateBatch), Limits.check("doh.layers", c.doh.layers, Limits.hiddenLayers),
                 Limits.check("mlp.layers", c.mlp.layers, Limits.hiddenLayers), Limits.checkPositive("doh.lr", c.doh.lr),
                 Limits.checkPositive("mlp.lr", c.mlp.lr), Limits.check("ablation.width", c.ablation.width, Limits.width),
                 c.algorithm1.flatMap { Limits.check("algorithm1.width", $0.width, Limits.width) ?? Limits.check("algorithm1.fitSteps", $0.fitSteps, Limits.steps)
                   ?? Limits.check("algorithm1.fineTuneSteps", $0.fineTuneSteps, Limits.steps) },
                 c.fullResolution.flatMap { Limits.check("fullResolution.width", $0.width, Limits.width) ?? Limits.check("fullResolution.steps", $0.steps, Limits.steps) }]
      + c.doh.widths.map { Limits.check("doh.widths", $0, Limits.width) }
    if let p = sizes.compactMap({ $0 }).first { throw fail(p) }
    guard !c.doh.widths.isEmpty else { throw fail("'doh.widths' is empty") }
    guard !c.doh.fractions.isEmpty, c.doh.fractions.allSatisfy({ $0 > 0 && $0 <= 4 }) else { throw fail("'doh.fractions' must lie in (0, 4]") }
    for b in [c.doh.bits] + c.ablation.bits where !Quantizer.supportedBits.contains(b) {
      throw fail("bit depth \(b) is not one of \(Quantizer.supportedBits)")
    }
    for p in c.images + (c.fullResolution?.images ?? []) where !FileManager.default.fileExists(atPath: p) {
      throw fail("image \(p) does not exist")
    }
    return c
  }
}
