import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals

/// A way to turn images into INR reconstructions, as compared on an image set: a trained Trans-INR (one
/// forward pass, optional test-time optimisation), a meta-learned Learned Init (a few SGD steps from the
/// learned weights), or "Standard" (Adam from a random initialisation for a fixed number of steps).
public enum ImageSetModel {
  case transINR(TransINR)
  case learnedInit(LearnedInit)
  case standard(net: HypoNet, steps: Int, learningRate: Float, seed: UInt64)

  /// A freshly initialised model of a training configuration (weights drawn from `config.train.seed`).
  public static func make(_ config: TrainingConfig) -> ImageSetModel {
    var rng = RandomGenerator(seed: config.train.seed)
    switch config.method {
    case .transINR:
      let t = config.transINR!
      return .transINR(TransINR(TransINR.Config(imageSize: config.data.size, channels: 3, patch: t.patch, dim: t.dim, depth: t.depth,
                                                heads: t.heads, groups: t.groups, hyponet: config.hyponet,
                                                centredPixels: t.centredPixels ?? false), rng: &rng))
    case .learnedInit:
      let l = config.learnedInit!
      return .learnedInit(LearnedInit(net: config.hyponet, innerSteps: l.innerSteps, innerLearningRate: l.innerLearningRate, rng: &rng))
    }
  }

  /// The trainable module (nil for Standard, which has nothing to train).
  public var module: Module? {
    switch self {
    case .transINR(let m): return m
    case .learnedInit(let m): return m
    case .standard: return nil
    }
  }

  public var hyponet: HypoNet {
    switch self {
    case .transINR(let m): return m.config.hyponet
    case .learnedInit(let m): return m.net
    case .standard(let net, _, _, _): return net
    }
  }

  /// The INR weights for each of `images` [B, S, S, C] (observed at every pixel of the grid `coords`
  /// [S * S, 2]): layer k as [B, fanIn + 1, fanOut]. `ttoSteps` Adam steps (lr `ttoLearningRate`) refine
  /// Trans-INR's generated weights on the observed pixels (Trans-INR Sec. 4.4).
  public func weights(for images: Tensor, coords: Tensor, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> [Tensor] {
    let b = images.shape[0], c = images.shape[3]
    let targets = images.reshaped([b, coords.shape[0], c])
    switch self {
    case .transINR(let m):
      let generated = GradMode.withoutGradients { m(images) }
      return m.testTimeOptimized(generated, coords: coords, targets: targets, steps: ttoSteps, learningRate: ttoLearningRate)
    case .learnedInit(let m):
      let per = (0..<b).map { i in m.adapt(coords: coords, targets: targets.slice(axis: 0, i, i + 1).reshaped([-1, c]), createGraph: false) }
      return stackLayers(per)
    case .standard(let net, let steps, let lr, let seed):
      let per = (0..<b).map { i -> [Tensor] in
        var rng = RandomGenerator(seed: seed)
        let params = FieldParameters(net.initialParameters(rng: &rng))
        let opt = Adam(learningRate: lr)
        let y = targets.slice(axis: 0, i, i + 1).reshaped([-1, c])
        for _ in 0..<steps { opt.minimize(params) { Loss.mse(net(coords, params.values), y) } }
        return params.values
      }
      return stackLayers(per)
    }
  }

  private func stackLayers(_ per: [[Tensor]]) -> [Tensor] {
    (0..<per[0].count).map { k in Tensor.stack(per.map { $0[k].detached() }) }
  }

  /// Reconstructions [B, S, S, C] of `images` [B, S, S, C].
  public func reconstruct(_ images: Tensor, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> Tensor {
    let s = images.shape[1], c = images.shape[3]
    let coords = CoordinateGrid.image(height: s, width: s)
    let w = weights(for: images, coords: coords, ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate)
    return GradMode.withoutGradients { hyponet(coords, w) }.reshaped([images.shape[0], s, s, c])
  }

  // MARK: model files

  /// Loads the model of a training checkpoint (`ImageSetTrainer.checkpoint`), with its configuration.
  public static func load(_ url: URL) throws -> (ImageSetModel, TrainingConfig) {
    let file = try SafeTensors.read(url)
    guard let json = file.metadata["hyperinr.train"] else {
      throw FitError(description: "\(url.path): not a Trans-INR / Learned Init model (no training configuration in its metadata)")
    }
    let config: TrainingConfig
    do {
      config = try JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
    } catch {
      throw FitError(description: "\(url.path): unreadable training configuration in its metadata (\(error))")
    }
    let model = make(config)
    try model.module!.load(file.dictionary, options: LoadOptions(allowUnused: true), source: url.path)
    return (model, config)
  }
}

extension ImageSetModel {
  /// Images reconstructed at a time by `evaluate`.
  public static let evaluationBatch = 16

  /// PSNR (8-bit decoded image, dB) and SSIM of every image of `images` [N, S, S, C], reconstructed in
  /// batches of `batch`.
  public func evaluate(_ images: Tensor, batch: Int = evaluationBatch, ttoSteps: Int = 0, ttoLearningRate: Float = 1e-4) -> [(psnr: Double, ssim: Double)] {
    let n = images.shape[0]
    var out: [(Double, Double)] = []
    for start in stride(from: 0, to: n, by: batch) {
      let x = images.slice(axis: 0, start, min(start + batch, n))
      let r = Metrics.quantized8(reconstruct(x, ttoSteps: ttoSteps, ttoLearningRate: ttoLearningRate))
      for i in 0..<x.shape[0] {
        let shape = Array(x.shape.dropFirst())
        let a = r.slice(axis: 0, i, i + 1).reshaped(shape), b = x.slice(axis: 0, i, i + 1).reshaped(shape)
        out.append((Metrics.psnr(a, b), Metrics.ssim(a, b)))
      }
    }
    return out
  }
}
