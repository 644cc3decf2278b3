import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import Signals

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a generalizable INR (a hypernetwork or a meta-learned init) on images or audio (YAML config, see configs/).",
    discussion: """
      The config names the method (`method:` \(MethodRegistry.names), with its settings \
      section), the task (`task: image | audio`), the INR and the data; `probabilistic: true` trains a \
      PONP-style INR (mean and scale, Gaussian NLL; `train.nllBeta` in [0, 1] weights it as beta-NLL) and \
      `data.contextFraction` shows the model only that share of each signal; `data.normalize: peak` scales \
      audio clips to peak 1. With `data.validation: N` the run holds N training signals out and evaluates on \
      them instead of the test set. \
      Writes to --output: checkpoint.safetensors (model + optimizer + data position; also the model for \
      `reconstruct` and `evaluate`), log.csv (training loss and PSNR), eval.csv (test or validation PSNR, SSIM, \
      NLL and calibration), curves.svg, samples.png (images) or samples.svg (audio) and report.md. Ctrl-C writes a checkpoint \
      and stops; `--resume` continues the same run, with the same losses as if it had not stopped (also \
      after a crash or kill, from the last periodic checkpoint).
      """)

  @Option(help: "Training configuration (YAML).")
  var config: String
  @Option(name: .shortAndLong, help: "Run folder (default: runs/<config name>).")
  var output: String?
  @Option(name: .customLong("set"), help: "Override a setting, e.g. --set train.steps=200 (repeatable).")
  var overrides: [String] = []
  @Flag(help: "Continue the run in --output from its checkpoint.")
  var resume = false
  @Flag(name: .customLong("report-only"), help: "Rewrite curves.svg, samples.png and report.md of the run in --output from its checkpoint and logs; no training.")
  var reportOnly = false

  func run() throws {
    try Console.reportingErrors {
      let cfg = try TrainingConfigFile.load(config, overrides: overrides)
      let dir = URL(fileURLWithPath: output ?? "runs/" + URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent)
      let run = try TrainingRun(config: cfg, folder: dir, resume: resume || reportOnly)
      if reportOnly { try TrainingReport(run: run).write() } else { try run.train() }
    }
  }
}
