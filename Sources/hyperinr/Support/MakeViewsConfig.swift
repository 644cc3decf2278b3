import Foundation
import Signals

/// The YAML configuration of `hyperinr make-views --config` (see configs/views-chairs.yaml): a data set's
/// settings under the names of make-views' options, every key optional; options given on the command line
/// override the file. A mesh folder is relative to the file's folder unless absolute.
struct MakeViewsConfig: Codable {
  var category: String?
  var count: Int?
  var meshes: String?
  var val: Double?
  var test: Double?
  var views: Int?
  var size: Int?
  var seed: UInt64?
  var radius: Float?
  var fov: Float?
  var samples: Int?

  static func load(_ path: String, overrides: [String]) throws -> MakeViewsConfig {
    var c = try ConfigFile.load(MakeViewsConfig.self, from: path, overrides: overrides)
    let base = URL(fileURLWithPath: path).deletingLastPathComponent()
    c.meshes = c.meshes.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).standardizedFileURL.path }
    return c
  }

  /// The rendering settings the file gives, over the defaults.
  var dataset: ViewDataset { ViewOptions.overlay(ViewDataset(), views: views, size: size, radius: radius, fov: fov, samples: samples) }
}
