import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// A model of a training config: its task and its method (or any other `INRPredictor`, such as the
/// Standard baseline), with reconstruction, evaluation and the model files `hyperinr train` writes.
public struct GeneralizableModel {
  public let config: TrainingConfig
  public let task: any INRTask
  public let predictor: any INRPredictor

  /// Checkpoint format of this build ("hyperinr.format"); files without the key are version 1 (same layout).
  public static let format = "generalizable-v2"
  static let readableFormats = ["generalizable-v1", format]

  /// A freshly initialised model of `config` (weights drawn from `config.train.seed`).
  public init(_ config: TrainingConfig) throws {
    let context = try config.context()
    var rng = RandomGenerator(seed: config.train.seed)
    guard let method = try MethodRegistry.entry(config.method).make(config.settings, context, &rng) else {
      throw ConfigError("\(config.settings.key): not the settings of method \(config.method)")
    }
    self.init(config: config, task: context.task, predictor: method)
  }

  public init(config: TrainingConfig, task: any INRTask, predictor: any INRPredictor) {
    self.config = config
    self.task = task
    self.predictor = predictor
  }

  /// The trainable method (nil for a baseline that has nothing to train).
  public var method: (any GeneralizableINR)? { predictor as? any GeneralizableINR }

  /// What the model observes of `signals` [B, grid..., C]: every sample, or with the config's context
  /// fraction a random context per signal drawn from `contextSeed` (fixed, so evaluations repeat).
  public func observations(of signals: Tensor, contextSeed: UInt64 = 0) -> Observations {
    guard config.isPartial, let f = config.data.contextFraction else { return task.observations(of: signals) }
    var rng = RandomGenerator(seed: config.train.seed ^ 0xC0_47E7 &+ contextSeed)
    return task.observations(of: signals, contextFraction: f, rng: &rng)
  }

  /// INR weights for observations; `ttoSteps` Adam steps (lr `ttoLearningRate`) then refine them on the
  /// observed samples (Trans-INR Sec. 4.4).
  public func weights(for obs: Observations, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> INRWeights {
    let w = predictor.inferenceWeights(for: obs)
    let plain = Objective(hyponet: predictor.hyponet, rendering: predictor.objective.rendering)
    return TestTimeOptimization.refine(w, objective: plain, observations: obs, steps: ttoSteps, learningRate: ttoLearningRate)
  }

  /// INR weights for `signals` [B, grid..., C] as the model observes them.
  public func weights(for signals: Tensor, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4, contextSeed: UInt64 = 0) -> INRWeights {
    weights(for: observations(of: signals, contextSeed: contextSeed), ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate)
  }

  /// Reconstructions [B, grid..., C] of `signals` (the means of a probabilistic INR) and, for a
  /// probabilistic INR, the predicted scales [B, grid..., C].
  public func reconstructWithScale(_ signals: Tensor, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4,
                                   contextSeed: UInt64 = 0) -> (mean: Tensor, scale: Tensor?) {
    let w = weights(for: signals, ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate, contextSeed: contextSeed)
    var out = GradMode.withoutGradients { predictions(at: task.queries(of: signals), w) }
    if out.rank == 2 { out = out.repeated(batch: signals.shape[0]) }  // every layer shared
    let (mean, scale) = predictor.hyponet.split(out)
    return (task.signals(fromSamples: mean), scale.map(task.signals(fromSamples:)))
  }

  /// The predictor's outputs at query coordinates [N, D] or [B, N, D]; rays of a radiance field in chunks of
  /// `rayChunk` per instance, so that their sample points stay within bounded memory.
  func predictions(at queries: Tensor, _ w: INRWeights, rayChunk: Int = 2048) -> Tensor {
    let objective = predictor.objective, n = queries.shape[queries.rank - 2]
    guard objective.rendering != nil, n > rayChunk else { return objective.predict(queries, w) }
    let parts = stride(from: 0, to: n, by: rayChunk).map { objective.predict(queries.slice(axis: 1, $0, min(n, $0 + rayChunk)), w) }
    return Tensor.concat(parts, axis: 1)
  }

  /// Reconstructions [B, grid..., C] of `signals` (the means, for a probabilistic INR).
  public func reconstruct(_ signals: Tensor, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> Tensor {
    reconstructWithScale(signals, ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate).mean
  }

  /// Signals reconstructed at a time by `evaluate`.
  public static let evaluationBatch = 16

  /// The score of every signal of `signals` [N, grid..., C], reconstructed in batches of `batch` (the
  /// contexts of a partial observation drawn per batch), with the NLL and calibration of a probabilistic INR.
  public func evaluate(_ signals: Tensor, batch: Int = evaluationBatch, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> [SignalScore] {
    let n = signals.shape[0]
    return stride(from: 0, to: n, by: batch).flatMap { start -> [SignalScore] in
      let x = signals.slice(axis: 0, start, min(start + batch, n))
      let (mean, scale) = reconstructWithScale(x, ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate, contextSeed: UInt64(start))
      var scores = task.scores(mean, x)
      if let scale {
        for i in scores.indices {
          let one = { (t: Tensor) in t.slice(axis: 0, i, i + 1).scalars }
          scores[i].calibration = Calibration(mean: one(mean), scale: one(scale), targets: one(x))
        }
      }
      return scores
    }
  }

  // MARK: model files

  /// Loads the model of a training checkpoint (`GeneralizableTrainer.checkpoint`).
  public static func load(_ url: URL) throws -> GeneralizableModel {
    let file = try SafeTensors.read(url)
    let config = try configuration(of: file, path: url.path)
    let model = try GeneralizableModel(config)
    if let m = model.method { try m.load(file.dictionary, options: LoadOptions(allowUnused: true), source: url.path) }
    return model
  }

  /// The training configuration stored in a checkpoint, after checking its format version.
  static func configuration(of file: SafeTensors.File, path: String) throws -> TrainingConfig {
    let format = file.metadata["hyperinr.format"] ?? "generalizable-v1"
    guard readableFormats.contains(format) else {
      let what = format == "field-v1" ? "a fitted field model (field-v1: use `hyperinr decode`)" : "format '\(format)'"
      throw FitError(description: "\(path): \(what), not a trained hypernetwork (this build reads \(readableFormats.joined(separator: ", ")))")
    }
    guard let json = file.metadata["hyperinr.train"] else {
      throw FitError(description: "\(path): not a trained hypernetwork (no training configuration in its metadata)")
    }
    let config: TrainingConfig
    do {
      config = try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    } catch {
      throw FitError(description: "\(path): unreadable training configuration in its metadata (\(error))")
    }
    if let p = config.problems().first { throw FitError(description: "\(path): its training configuration cannot be used: \(p)") }
    return config
  }
}
