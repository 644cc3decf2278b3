import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

/// One `hyperinr train` run in its folder: the training loop with progress, logs, periodic checkpoints
/// and evaluations, and the final report.
final class TrainingRun {
  let config: TrainingConfig
  let folder: URL
  let trainer: GeneralizableTrainer
  /// The evaluation signals: the test set, or the validation split when the config holds one out.
  let test: Tensor
  let evaluatesValidation: Bool
  var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
  var logURL: URL { folder.appendingPathComponent("log.csv") }
  var evalURL: URL { folder.appendingPathComponent("eval.csv") }
  static let logHeader = "step,epoch,loss,psnr,lr,seconds"
  /// The split evaluated (test or validation) is named in the run's report.
  static let evalHeader = "step,psnr,ssim,signals,nll,within_1sigma,within_2sigma"

  init(config: TrainingConfig, folder: URL, resume: Bool) throws {
    self.config = config
    self.folder = folder
    try OutputPath.checkFolder(folder)
    let task = try config.makeTask()
    let (train, validation) = try config.trainingSplits(task)
    for set in [train, validation].compactMap({ $0 }) {
      for warning in (set as? ViewObjectSet)?.folder.warnings ?? [] { Console.note("warning: \(warning)") }
    }
    evaluatesValidation = validation != nil
    test = try config.testSignals(task, validation: evaluatesValidation)
    let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.safetensors").path)
    if resume {
      guard exists else { throw SignalError(folder.path, "has no checkpoint.safetensors to resume") }
      trainer = try GeneralizableTrainer.resume(from: folder.appendingPathComponent("checkpoint.safetensors"), config: config, train: train)
      Console.note("resuming at step \(trainer.step) of \(config.train.steps)")
    } else {
      guard !exists else { throw SignalError(folder.path, "already holds a run (checkpoint.safetensors); pass --resume to continue it or choose another --output") }
      trainer = try GeneralizableTrainer(config: config, train: train)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    // Rows logged after the checkpoint (the run was killed) are dropped: the resumed run writes them again.
    try Self.truncate(logURL, header: Self.logHeader, after: trainer.step)
    try Self.truncate(evalURL, header: Self.evalHeader, after: trainer.step)
  }

  /// Keeps the header and the complete rows whose first field (step) is <= `step` (rows of run folders
  /// written before the calibration columns, with 4 fields, count as complete too).
  static func truncate(_ url: URL, header: String, after step: Int) throws {
    let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
    let fields = header.split(separator: ",").count
    let kept = lines.dropFirst().filter { l in
      let f = l.split(separator: ",")
      return (f.count == fields || (header == evalHeader && f.count == 4)) && (Int(f[0]).map { $0 <= step } ?? false)
    }
    try AtomicFile.write(Data(([header] + kept).map { $0 + "\n" }.joined().utf8), to: url)
  }

  static func append(_ line: String, to url: URL) throws {
    let h = try FileHandle(forWritingTo: url)
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: Data((line + "\n").utf8))
  }

  private func describe() -> String {
    let net = trainer.method.hyponet, kind = net.kind == .nerf ? "NeRF" : "Fourier ReLU"
    return "\(trainer.method.summary); INR \(net.hiddenLayers) x \(net.width) \(kind)\(net.isProbabilistic ? " (probabilistic)" : ""); "
      + "\(trainer.loader.data.count) training and \(test.shape[0]) \(split) \(Evaluate.signalKind(trainer.task)); batch \(config.train.batch), \(Parallel.threads) threads"
  }

  var split: String { evaluatesValidation ? "validation" : "test" }

  /// Evaluates the test signals and appends the eval.csv row of `step`; returns the summary line.
  func evaluate(step: Int) throws -> String {
    let r = trainer.model.evaluate(test), n = Double(max(r.count, 1))
    func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
    let c = r.compactMap(\.calibration)
    try Self.append(String(format: "%d,%.4f,%.5f,%d,%.5f,%.5f,%.5f", step, r.map(\.psnr).reduce(0, +) / n, mean(r.compactMap(\.ssim)), r.count,
                           mean(c.map(\.nll)), mean(c.map(\.within1)), mean(c.map(\.within2))), to: evalURL)
    return Evaluate.summary(r, task: trainer.task)
  }

  func train() throws {
    Console.note(describe())
    Interrupt.install()
    let printer = ProgressPrinter()
    let start = DispatchTime.now().uptimeNanoseconds, first = trainer.step
    func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
    let t = config.train
    let quality = trainer.method.hyponet.isProbabilistic ? "NLL %.3e" : "loss %.3e  PSNR %.2f dB"
    while trainer.step < t.steps && !Interrupt.requested {
      let (loss, psnr) = try trainer.trainStep()
      let s = trainer.step, lr = trainer.optimizer.learningRate
      if s % t.logEvery == 0 || s == t.steps {
        try Self.append(String(format: "%d,%d,%.6e,%.4f,%.3e,%.2f", s, trainer.loader.epoch, loss, psnr, lr, elapsed()), to: logURL)
      }
      printer.update(step: s, of: t.steps, elapsed: elapsed(), fields: String(format: quality, loss, psnr) + String(format: "  lr %.2e", lr),
                     firstStep: first)
      if t.checkpointEvery > 0 && s % t.checkpointEvery == 0 && s < t.steps { try trainer.checkpoint(to: checkpointURL) }
      if t.evalEvery > 0 && s % t.evalEvery == 0 && s < t.steps {
        Console.note("\nstep \(s): \(split) \(try evaluate(step: s))")
      }
    }
    printer.finish()
    try trainer.checkpoint(to: checkpointURL)
    if Interrupt.requested {
      Console.note("stopped at step \(trainer.step); checkpoint written — continue with: hyperinr train --config ... --output \(folder.path) --resume")
      throw ExitCode(130)
    }
    try Self.truncate(evalURL, header: Self.evalHeader, after: trainer.step - 1)
    let summary = try evaluate(step: trainer.step)
    try TrainingReport(run: self).write()
    print("done: \(trainer.step) steps; \(split) \(summary); wrote \(folder.path)")
  }
}
