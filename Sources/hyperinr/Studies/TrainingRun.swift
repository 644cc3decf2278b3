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
  let test: Tensor
  var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
  var logURL: URL { folder.appendingPathComponent("log.csv") }
  var evalURL: URL { folder.appendingPathComponent("eval.csv") }
  static let logHeader = "step,epoch,loss,psnr,lr,seconds"
  static let evalHeader = "step,test_psnr,test_ssim,images"

  init(config: TrainingConfig, folder: URL, resume: Bool) throws {
    self.config = config
    self.folder = folder
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let task = try config.makeTask()
    let train = try task.open(config.data.train, test: false)
    test = try config.testSignals(task)
    let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.safetensors").path)
    if resume {
      guard exists else { throw SignalError(folder.path, "has no checkpoint.safetensors to resume") }
      trainer = try GeneralizableTrainer.resume(from: folder.appendingPathComponent("checkpoint.safetensors"), config: config, train: train)
      Console.note("resuming at step \(trainer.step) of \(config.train.steps)")
    } else {
      guard !exists else { throw SignalError(folder.path, "already holds a run (checkpoint.safetensors); pass --resume to continue it or choose another --output") }
      trainer = try GeneralizableTrainer(config: config, train: train)
    }
    // Rows logged after the checkpoint (the run was killed) are dropped: the resumed run writes them again.
    try Self.truncate(logURL, header: Self.logHeader, after: trainer.step)
    try Self.truncate(evalURL, header: Self.evalHeader, after: trainer.step)
  }

  /// Keeps the header and the complete rows whose first field (step) is <= `step`.
  static func truncate(_ url: URL, header: String, after step: Int) throws {
    let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
    let fields = header.split(separator: ",").count
    let kept = lines.dropFirst().filter { l in
      let f = l.split(separator: ",")
      return f.count == fields && (Int(f[0]).map { $0 <= step } ?? false)
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
    let net = trainer.method.hyponet, grid = trainer.task.grid.map(String.init).joined(separator: "x")
    return "\(trainer.method.summary); INR \(net.hiddenLayers) x \(net.width) Fourier ReLU\(net.isProbabilistic ? " (probabilistic)" : ""); "
      + "\(trainer.loader.data.count) training signals at \(grid), \(test.shape[0]) test signals; batch \(config.train.batch), \(Parallel.threads) threads"
  }

  func evaluate() -> (psnr: Double, ssim: Double) {
    let r = trainer.model.evaluate(test)
    return (r.map(\.psnr).reduce(0, +) / Double(r.count), r.map { $0.ssim ?? .nan }.reduce(0, +) / Double(r.count))
  }

  func train() throws {
    Console.note(describe())
    Interrupt.install()
    let printer = ProgressPrinter()
    let start = DispatchTime.now().uptimeNanoseconds, first = trainer.step
    func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
    let t = config.train
    while trainer.step < t.steps && !Interrupt.requested {
      let (loss, psnr) = try trainer.trainStep()
      let s = trainer.step, lr = trainer.optimizer.learningRate
      if s % t.logEvery == 0 || s == t.steps {
        try Self.append(String(format: "%d,%d,%.6e,%.4f,%.3e,%.2f", s, trainer.loader.epoch, loss, psnr, lr, elapsed()), to: logURL)
      }
      printer.update(step: s, of: t.steps, elapsed: elapsed(), fields: String(format: "loss %.3e  PSNR %.2f dB  lr %.2e", loss, psnr, lr),
                     firstStep: first)
      if t.checkpointEvery > 0 && s % t.checkpointEvery == 0 && s < t.steps { try trainer.checkpoint(to: checkpointURL) }
      if t.evalEvery > 0 && s % t.evalEvery == 0 && s < t.steps {
        let e = evaluate()
        try Self.append(String(format: "%d,%.4f,%.5f,%d", s, e.psnr, e.ssim, test.shape[0]), to: evalURL)
        Console.note(String(format: "\nstep %d: test PSNR %.2f dB, SSIM %.4f", s, e.psnr, e.ssim))
      }
    }
    printer.finish()
    try trainer.checkpoint(to: checkpointURL)
    if Interrupt.requested {
      Console.note("stopped at step \(trainer.step); checkpoint written — continue with: hyperinr train --config ... --output \(folder.path) --resume")
      throw ExitCode(130)
    }
    let e = evaluate()
    try Self.truncate(evalURL, header: Self.evalHeader, after: trainer.step - 1)
    try Self.append(String(format: "%d,%.4f,%.5f,%d", trainer.step, e.psnr, e.ssim, test.shape[0]), to: evalURL)
    try TrainingReport(run: self).write()
    print(String(format: "done: %d steps; test PSNR %.2f dB, SSIM %.4f on %d images; wrote %@", trainer.step, e.psnr, e.ssim,
                 test.shape[0], folder.path))
  }
}
