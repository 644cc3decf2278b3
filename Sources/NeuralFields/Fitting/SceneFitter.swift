import Foundation
import HyperNN
import HyperTensor
import Signals

/// Fits one NeRF to the views of a scene (Mildenhall et al. 2020; the per-scene "Standard" baseline of
/// LearnIt and Trans-INR): every step draws `settings.batch` pixels of the training views at random, samples
/// each ray at jittered depths in [near, far] (Eq. 2), runs the hyponet on the points, composites them over
/// white (Eq. 3, `SceneRendering`) and takes an Adam step on the mean squared colour error. Resumable
/// exactly: `checkpoint` saves the parameters, Adam moments, step and ray sampler.
public final class SceneFitter: ResumableFit {
  public let net: HypoNet
  /// The settings (`batch`: rays per step); `steps` may be raised to continue a resumed fit.
  public var settings: FitSettings
  public let info: SceneModel.Info
  public let parameters: FieldParameters
  public let optimizer: Adam
  public private(set) var step = 0
  public private(set) var rng: RandomGenerator
  /// Every training pixel's ray and colour, [N, 3] each.
  private let origins: Tensor, directions: Tensor, colours: Tensor
  /// The training views' count and a digest of their cameras and pixels, stored in checkpoints so that a
  /// resume refuses other views.
  private let viewsDigest: String

  /// A fit of `net` (3 -> 4) to `scene`, whose views are RGB (composited on white).
  public init(scene: MultiViewScene, net: HypoNet, settings: FitSettings, rendering: SceneRendering) {
    precondition(net.inputDim == 3 && net.outputDim == 4 && !net.isProbabilistic, "a scene's NeRF maps 3-D points to rgb logits and a density")
    precondition(scene.views.allSatisfy { $0.channels == 3 }, "scene views must be RGB (load them composited on white)")
    precondition(settings.batch >= 1, "a scene fit draws at least one ray per step")
    self.net = net
    self.settings = settings
    info = SceneModel.Info(scene: scene, rendering: rendering)
    var initRNG = RandomGenerator(seed: settings.seed)
    parameters = FieldParameters(net.initialWeights(rng: &initRNG))
    optimizer = Adam(learningRate: settings.learningRate)
    rng = RandomGenerator(seed: settings.seed ^ 0x5CE_7E5)
    let rays = scene.cameras.map { $0.rays() }
    origins = Tensor.concat(rays.map(\.origins), axis: 0)
    directions = Tensor.concat(rays.map(\.directions), axis: 0)
    colours = Tensor.concat(scene.views.map { $0.pixels.reshaped([$0.height * $0.width, 3]) }, axis: 0)
    viewsDigest = Self.digest(scene)
  }

  /// "N:HEX": the view count and the 64-bit FNV-1a hash of every camera matrix and pixel value.
  static func digest(_ scene: MultiViewScene) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ x: Float) {
      var b = x.bitPattern
      for _ in 0..<4 { h = (h ^ UInt64(b & 0xFF)) &* 0x100_0000_01B3; b >>= 8 }
    }
    for (c, v) in zip(scene.cameras, scene.views) {
      for row in c.cameraToWorld { for i in 0..<4 { mix(row[i]) } }
      mix(c.angleX)
      v.pixels.scalars.forEach(mix)
    }
    return "\(scene.views.count):" + String(h, radix: 16)
  }

  /// The bytes a step on `rays` rays of `samples` points holds at its peak, roughly: the batch's depths and
  /// rays, and for one piece of `SceneRendering.chunkRays` rays per point the encoding and per layer the
  /// pre-activations, activations and their gradients; the weights with their gradients and Adam moments.
  /// Commands check it against the memory budget before they start.
  public static func estimatedBytes(net: HypoNet, rays: Int, samples: Int) -> Int {
    let piece = min(rays, SceneRendering(samples: samples).chunkRays)
    return FieldFitter.estimatedBytes(net: net, coordinates: piece * samples) + 4 * piece * samples * 24 + 4 * rays * (samples + 9)
  }

  /// One Adam step; returns the loss and the batch's PSNR in dB (colours in [0, 1]).
  public func trainStep() throws -> (Float, Double) {
    let n = origins.shape[0], r = settings.batch, rendering = info.rendering
    let idx = (0..<r).map { _ in rng.nextInt(below: n) }
    let o = origins.gather(axis: 0, indices: idx), d = directions.gather(axis: 0, indices: idx), y = colours.gather(axis: 0, indices: idx)
    let t = VolumeRendering.jitteredDepths(rays: r, samples: rendering.samples, near: rendering.near, far: rendering.far, rng: &rng)
    optimizer.learningRate = settings.learningRate(at: step)
    // The batch runs in cache-sized pieces with the whole batch's gradients: the mean over all rays is the
    // sum of each piece's squared errors divided by 3 r.
    let chunk = rendering.chunkRays, parts = (r + chunk - 1) / chunk
    let loss = optimizer.minimize(parameters, parts: parts) { i in
      let s = i * chunk, e = min(r, s + chunk)
      let rgb = rendering.render(net, parameters.hyponetWeights, origins: o.slice(axis: 0, s, e), directions: d.slice(axis: 0, s, e),
                                 depths: t.slice(axis: 0, s, e)).rgb
      return (rgb - y.slice(axis: 0, s, e)).square().sum() * Tensor(scalar: 1 / Float(3 * r))
    }
    step += 1
    guard loss.isFinite else {
      throw FitError(description: "NeRF training diverged at step \(step) (a NaN or infinite loss or gradient, not applied); the last checkpoint, if one was written, is kept: --resume it with a lower --lr")
    }
    return (loss, 10 * Foundation.log10(1 / max(Double(loss), 1e-20)))
  }

  /// The fitted scene as it stands.
  public var model: SceneModel { SceneModel(net: net, info: info, parameters: parameters.layers.map(\.value)) }

  // MARK: checkpoints

  public func checkpoint(to url: URL) throws {
    var meta = try SceneModel.metadata(net: net, info: info)
    meta["hyperinr.fit"] = try SafeTensors.metadataJSON(settings)
    meta["hyperinr.views"] = viewsDigest
    try TrainingCheckpoint(step: step, rng: rng, metadata: meta).write(module: parameters, optimizer: optimizer, to: url)
  }

  /// Restores a checkpoint written by `checkpoint(to:)` for the same training views.
  public static func resume(from url: URL, scene: MultiViewScene) throws -> SceneFitter {
    let file = try SafeTensors.read(url)
    let model = try SceneModel(file: file, path: url.path)
    guard let fitJSON = file.metadata["hyperinr.fit"], let settings = try? JSONDecoder().decode(FitSettings.self, from: Data(fitJSON.utf8)),
          settings.batch >= 1, Limits.steps.contains(settings.steps), settings.learningRate.isFinite, settings.learningRate > 0 else {
      throw FitError(description: "\(url.path): not a resumable scene checkpoint (no usable training settings)")
    }
    guard let stored = file.metadata["hyperinr.views"], stored == digest(scene) else {
      let n = file.metadata["hyperinr.views"]?.split(separator: ":").first.map(String.init) ?? "?"
      throw FitError(description: "\(url.path): checkpoint was made for other training views (\(n) views of \(model.info.size)x\(model.info.size)), not these \(scene.views.count) views of \(scene.cameras[0].width)x\(scene.cameras[0].width); give the same folder and --holdout")
    }
    if let p = Limits.checkMemory(estimatedBytes(net: model.net, rays: settings.batch, samples: model.info.rendering.samples),
                                  for: "resuming a fit of \(settings.batch) rays per step", advice: "the checkpoint asks for more than this machine allows") {
      throw FitError(description: "\(url.path): \(p)")
    }
    let fitter = SceneFitter(scene: scene, net: model.net, settings: settings, rendering: model.info.rendering)
    let state = try TrainingCheckpoint.restore(file, path: url.path, module: fitter.parameters, optimizer: fitter.optimizer)
    fitter.step = state.step
    fitter.rng = state.rng
    return fitter
  }
}
