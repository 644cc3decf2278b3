import Foundation
import HyperNN
import HyperTensor
import Signals

/// Fits one NeRF to the views of a scene (Mildenhall et al. 2020; the per-scene "Standard" baseline of
/// LearnIt and Trans-INR): every step draws `raysPerStep` pixels of the training views at random, samples
/// each ray at jittered depths in [near, far] (Eq. 2), runs the hyponet on the points, composites them over
/// white (Eq. 3, `VolumeRendering`) and takes an Adam step on the mean squared colour error.
public final class SceneFitter {
  public struct Settings: Equatable, Sendable {
    public var raysPerStep = 1024, samples = 64
    public var near: Float = 2, far: Float = 6
    public var learningRate: Float = 5e-4
    public var density: VolumeRendering.Density = .relu
    public var seed: UInt64 = 0
    public init() {}
  }

  public let net: HypoNet
  public let settings: Settings
  public let parameters: FieldParameters
  public let optimizer: Adam
  public private(set) var step = 0
  private var rng: RandomGenerator
  /// Every training pixel's ray and colour, [N, 3] each.
  private let origins: Tensor, directions: Tensor, colours: Tensor

  /// A fit of `net` (kind nerf, 3 -> 4) to `scene`, whose views are RGB (composited on white).
  public init(scene: MultiViewScene, net: HypoNet, settings: Settings) {
    precondition(net.inputDim == 3 && net.outputDim == 4 && !net.isProbabilistic, "a scene's NeRF maps 3-D points to rgb logits and a density")
    precondition(scene.views.allSatisfy { $0.channels == 3 }, "scene views must be RGB (load them composited on white)")
    self.net = net
    self.settings = settings
    var initRNG = RandomGenerator(seed: settings.seed)
    parameters = FieldParameters(net.initialWeights(rng: &initRNG))
    optimizer = Adam(learningRate: settings.learningRate)
    rng = RandomGenerator(seed: settings.seed ^ 0x5CE_7E5)
    let rays = scene.cameras.map { $0.rays() }
    origins = Tensor.concat(rays.map(\.origins), axis: 0)
    directions = Tensor.concat(rays.map(\.directions), axis: 0)
    colours = Tensor.concat(scene.views.map { $0.pixels.reshaped([$0.height * $0.width, 3]) }, axis: 0)
  }

  /// The colours [R, 3] the current field renders along rays (origins, unit directions [R, 3]) at `depths`.
  private func rendered(origins o: Tensor, directions d: Tensor, depths t: Tensor) -> Tensor {
    let r = t.shape[0], p = t.shape[1]
    let points = VolumeRendering.points(origins: o, directions: d, depths: t).reshaped([r * p, 3])
    let raw = net(points, parameters.hyponetWeights).reshaped([r, p, 4])
    return VolumeRendering.composite(raw: raw, depths: t, density: settings.density).rgb
  }

  /// One Adam step; returns the loss and the batch's PSNR in dB (colours in [0, 1]).
  public func trainStep() throws -> (loss: Float, psnr: Double) {
    let n = origins.shape[0], r = settings.raysPerStep
    let idx = (0..<r).map { _ in rng.nextInt(below: n) }
    let o = origins.gather(axis: 0, indices: idx), d = directions.gather(axis: 0, indices: idx), y = colours.gather(axis: 0, indices: idx)
    let t = VolumeRendering.jitteredDepths(rays: r, samples: settings.samples, near: settings.near, far: settings.far, rng: &rng)
    let loss = optimizer.minimize(parameters) { Loss.mse(rendered(origins: o, directions: d, depths: t), y) }
    step += 1
    guard loss.isFinite else { throw FitError(description: "NeRF training diverged at step \(step) (a NaN or infinite loss or gradient, not applied)") }
    return (loss, 10 * Foundation.log10(1 / max(Double(loss), 1e-20)))
  }

  /// The view from `camera` (RGB on white), rays rendered `chunk` at a time at the unjittered depths.
  public func render(_ camera: PinholeCamera, chunk: Int = 4096) -> Image {
    let (o, d) = camera.rays(), n = o.shape[0]
    let parts = stride(from: 0, to: n, by: chunk).map { s -> Tensor in
      let e = min(n, s + chunk)
      let t = VolumeRendering.depths(rays: e - s, samples: settings.samples, near: settings.near, far: settings.far)
      return GradMode.withoutGradients { rendered(origins: o.slice(axis: 0, s, e), directions: d.slice(axis: 0, s, e), depths: t) }
    }
    return Image(pixels: Tensor.concat(parts, axis: 0).reshaped([camera.height, camera.width, 3]))
  }
}
