import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import Signals

/// Loading a `TrainingConfig` from YAML: data paths relative to the file, overrides, and its checks.
enum TrainingConfigFile {
  static func load(_ path: String, overrides: [String]) throws -> TrainingConfig {
    var c = try ConfigFile.load(TrainingConfig.self, from: path, overrides: overrides)
    let base = URL(fileURLWithPath: path).deletingLastPathComponent()
    func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path }
    c.data.train = resolve(c.data.train)
    c.data.test = resolve(c.data.test)
    if let p = c.problems().first { throw SignalError(path, p) }
    return c
  }
}
