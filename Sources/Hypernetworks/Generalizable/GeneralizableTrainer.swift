import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// Trains any registered method on a task's training set with Adam (or the method's own outer update).
/// A checkpoint (`TrainingCheckpoint`) holds the parameters, Adam's moments, the step, the data position,
/// the sample picker's RNG and the module's dropout streams, so a resumed run continues with exactly the
/// losses an uninterrupted one would have had.
public final class GeneralizableTrainer {
  public let config: TrainingConfig
  public let model: GeneralizableModel
  public let method: any GeneralizableINR
  public let optimizer: Adam
  public let loader: BatchLoader
  public private(set) var step = 0
  private var rng: RandomGenerator

  public init(config: TrainingConfig, train: any SignalSet, epoch: Int = 0, batchIndex: Int = 0) throws {
    self.config = config
    model = try GeneralizableModel(config)
    guard let m = model.method else { throw ConfigError("method: \(config.method) has nothing to train") }
    method = m
    optimizer = Adam(learningRate: config.train.learningRate)
    loader = BatchLoader(train, batchSize: config.train.batch, seed: config.train.seed, epoch: epoch, batchIndex: batchIndex)
    rng = RandomGenerator(seed: config.train.seed ^ 0x9A1B_5E7D)
  }

  public var task: any INRTask { model.task }

  /// One optimisation step on the next batch; returns the training loss (the method's objective: MSE, or
  /// the Gaussian NLL of a probabilistic INR; for meta-learners after adaptation) and its PSNR relative to
  /// the task's range (MSE only; NaN for a probabilistic INR).
  public func trainStep() throws -> (loss: Float, psnr: Double) { try trainStep(signals: try loader.next().0) }

  /// One optimisation step on `signals` [B, grid..., C] (the loader's position does not move).
  public func trainStep(signals: Tensor) throws -> (loss: Float, psnr: Double) {
    optimizer.learningRate = config.schedule.rate(base: config.train.learningRate, step: step)
    let loss = method.trainStep(batch(signals), optimizer: optimizer)
    step += 1
    guard loss.isFinite else {
      throw FitError(description: "training diverged at step \(step) (a NaN or infinite loss or gradient, not applied); the last checkpoint, if one was written, is kept: --resume with a lower train.learningRate")
    }
    let r = Double(task.range)
    return (loss, method.hyponet.isProbabilistic ? .nan : 10 * Foundation.log10(r * r / max(Double(loss), 1e-20)))
  }

  /// What the method observes of `signals` and where it is scored (`INRTask.trainingBatch`), drawn from
  /// the trainer's stream.
  func batch(_ signals: Tensor) -> TrainingBatch {
    task.trainingBatch(signals, pixels: config.train.pixels, contextFraction: config.isPartial ? config.data.contextFraction : nil,
                       step: step, rng: &rng)
  }

  // MARK: checkpoints

  /// Saves the model, the optimizer's state and the run's position atomically; the file is also the model
  /// that `GeneralizableModel.load` reads.
  public func checkpoint(to url: URL) throws {
    let meta = [
      "hyperinr.format": GeneralizableModel.format,
      "hyperinr.train": try SafeTensors.metadataJSON(config),
      "hyperinr.loader": "\(loader.epoch),\(loader.batchIndex)",
    ]
    try TrainingCheckpoint(step: step, rng: rng, metadata: meta).write(module: method, optimizer: optimizer, to: url)
  }

  /// Continues the run of a checkpoint. `config` must equal the checkpoint's, except that `train.steps`
  /// may be raised and `train.learningRate` changed (lowered after a divergence, say).
  public static func resume(from url: URL, config: TrainingConfig, train: any SignalSet) throws -> GeneralizableTrainer {
    let file = try SafeTensors.read(url)
    let saved = try GeneralizableModel.configuration(of: file, path: url.path)
    var comparable = config
    comparable.train.steps = saved.train.steps
    comparable.train.learningRate = saved.train.learningRate
    guard comparable == saved else {
      throw FitError(description: "\(url.path): made with a different configuration; only train.steps and train.learningRate may change when resuming")
    }
    let pos = (file.metadata["hyperinr.loader"] ?? "").split(separator: ",").compactMap { Int($0) }
    guard pos.count == 2, pos.allSatisfy({ $0 >= 0 }) else {
      throw FitError(description: "\(url.path): not a resumable checkpoint (no data position hyperinr.loader)")
    }
    let t = try GeneralizableTrainer(config: config, train: train, epoch: pos[0], batchIndex: pos[1])
    let state = try TrainingCheckpoint.restore(file, path: url.path, module: t.method, optimizer: t.optimizer)
    t.step = state.step
    t.rng = state.rng
    return t
  }
}
