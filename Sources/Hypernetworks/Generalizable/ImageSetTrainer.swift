import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// Trains a Trans-INR (MSE of the generated INR on each image's pixels, backpropagated into the
/// transformer) or a Learned Init (second-order MAML meta-loss, or Reptile) on an image set with Adam.
/// A checkpoint holds the parameters, Adam's moments, the step, the data position and the pixel sampler's
/// RNG, so a resumed run continues with exactly the losses an uninterrupted one would have had.
public final class ImageSetTrainer {
  public let config: TrainingConfig
  public let model: ImageSetModel
  public let optimizer: Adam
  public let loader: ImageBatchLoader
  public private(set) var step = 0
  private var rng: RandomGenerator
  /// The pixel grid of a size x size image, [S * S, 2].
  public let coords: Tensor

  public init(config: TrainingConfig, train: ImageFolder, epoch: Int = 0, batchIndex: Int = 0) {
    self.config = config
    model = ImageSetModel.make(config)
    optimizer = Adam(learningRate: config.train.learningRate)
    loader = ImageBatchLoader(train, batchSize: config.train.batch, seed: config.train.seed, epoch: epoch, batchIndex: batchIndex)
    rng = RandomGenerator(seed: config.train.seed ^ 0x9A1B_5E7D)
    coords = CoordinateGrid.image(height: config.data.size, width: config.data.size)
  }

  /// One optimisation step on the next batch; returns the training loss (MSE; for Learned Init the
  /// post-adaptation MSE) and its PSNR.
  public func trainStep() throws -> (loss: Float, psnr: Double) { try trainStep(images: try loader.next().0) }

  /// One optimisation step on `images` [B, S, S, C] (the loader's position does not move).
  public func trainStep(images: Tensor) throws -> (loss: Float, psnr: Double) {
    let b = images.shape[0], n = coords.shape[0], c = images.shape[3]
    var x = coords, y = images.reshaped([b, n, c])
    if config.train.pixels > 0 && config.train.pixels < n {
      let idx = (0..<config.train.pixels).map { _ in rng.nextInt(below: n) }
      x = x.gather(axis: 0, indices: idx)
      y = y.gather(axis: 1, indices: idx)
    }
    let lr = config.schedule.rate(base: config.train.learningRate, step: step)
    optimizer.learningRate = lr
    let loss: Float
    switch model {
    case .transINR(let m):
      loss = optimizer.minimize(m) { Loss.mse(m.config.hyponet(x, m(images)), y) }
    case .learnedInit(let m):
      let targets = (0..<b).map { y.slice(axis: 0, $0, $0 + 1).reshaped([-1, c]) }
      loss = config.learnedInit!.reptile
        ? m.reptileStep(coords: x, targets: targets, epsilon: lr)
        : optimizer.minimize(m) { m.metaLoss(coords: x, targets: targets) }
    case .standard:
      preconditionFailure("Standard has nothing to train")
    }
    step += 1
    guard loss.isFinite else {
      throw FitError(description: "training diverged at step \(step) (loss \(loss)); lower train.learningRate")
    }
    return (loss, 10 * Foundation.log10(1 / max(Double(loss), 1e-20)))
  }

  // MARK: checkpoints

  /// Saves the model, Adam's state and the run's position atomically; the file is also the model that
  /// `ImageSetModel.load` reads.
  public func checkpoint(to url: URL) throws {
    let module = model.module!
    var tensors = module.namedParameters().map { ($0.0, $0.1.value) }
    tensors += optimizer.stateTensors().sorted { $0.key < $1.key }.map { ("optimizer.\($0.key)", $0.value) }
    let meta = [
      "hyperinr.train": try SafeTensors.metadataJSON(config),
      "hyperinr.step": String(step),
      "hyperinr.loader": "\(loader.epoch),\(loader.batchIndex)",
      "hyperinr.rng": [rng.state.0, rng.state.1, rng.state.2, rng.state.3].map(String.init).joined(separator: ","),
    ]
    try SafeTensors.write(tensors, metadata: meta, to: url)
  }

  /// Continues the run of a checkpoint. `config` must equal the checkpoint's, except that `train.steps`
  /// may be raised.
  public static func resume(from url: URL, config: TrainingConfig, train: ImageFolder) throws -> ImageSetTrainer {
    let file = try SafeTensors.read(url)
    let (_, saved) = try ImageSetModel.load(url)
    var comparable = config
    comparable.train.steps = saved.train.steps
    guard comparable == saved else {
      throw FitError(description: "\(url.path): made with a different configuration; only train.steps may change when resuming")
    }
    func ints(_ key: String, _ count: Int) throws -> [UInt64] {
      let v = (file.metadata[key] ?? "").split(separator: ",").compactMap { UInt64($0) }
      guard v.count == count else { throw FitError(description: "\(url.path): not a resumable checkpoint (no \(key))") }
      return v
    }
    let step = try ints("hyperinr.step", 1)[0], pos = try ints("hyperinr.loader", 2), r = try ints("hyperinr.rng", 4)
    let t = ImageSetTrainer(config: config, train: train, epoch: Int(pos[0]), batchIndex: Int(pos[1]))
    try t.model.module!.load(file.dictionary, options: LoadOptions(allowUnused: true), source: url.path)
    var opt: [String: Tensor] = [:]
    for (k, v) in file.tensors where k.hasPrefix("optimizer.") { opt[String(k.dropFirst("optimizer.".count))] = v }
    if !(config.method == .learnedInit && config.learnedInit!.reptile) { try t.optimizer.loadState(opt) }
    t.step = Int(step)
    t.rng = RandomGenerator(state: (r[0], r[1], r[2], r[3]))
    return t
  }
}
