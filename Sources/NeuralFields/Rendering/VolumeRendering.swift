import HyperTensor

/// Volume rendering of a radiance field along rays (NeRF, Mildenhall et al. 2020, Sec. 4): samples at
/// depths t_1 < ... < t_P along each ray, the field's raw output per sample (three colour logits and a
/// density before its activation), and the quadrature of Eq. 3: alpha_i = 1 - exp(-sigma_i delta_i),
/// transmittance T_i = prod_{j<i} (1 - alpha_j) = exp(-sum_{j<i} sigma_j delta_j) (an exclusive cumulative
/// sum, so no division or log appears), weights w_i = T_i alpha_i, colour sum_i w_i c_i composited over a
/// uniform background. delta_i = t_{i+1} - t_i, and 1e-3 for the last sample (as the LearnIt and Trans-INR
/// code do, so that a ray's colour does not hinge on an unbounded last interval). Every step is a
/// differentiable tensor operation.
public enum VolumeRendering {
  /// The density activation: ReLU as in NeRF, or softplus (a documented fix for training that stalls
  /// when ReLU densities die).
  public enum Density: String, Codable, Sendable { case relu, softplus }

  /// The composited result for R rays.
  public struct Output {
    /// [R, 3] colours over the background.
    public var rgb: Tensor
    /// [R] expected depth sum_i w_i t_i (of the opaque part) and opacity sum_i w_i.
    public var depth: Tensor
    public var opacity: Tensor
    /// [R, P] the samples' weights w_i.
    public var weights: Tensor
  }

  /// Sample depths [rays, samples], the same for every ray: `samples` points from near to far, both ends
  /// included.
  public static func depths(rays: Int, samples: Int, near: Float, far: Float) -> Tensor {
    precondition(rays >= 1 && samples >= 2 && far > near, "volume sampling needs rays >= 1, samples >= 2 and far > near")
    let step = (far - near) / Float(samples - 1)
    let row = (0..<samples).map { near + Float($0) * step }
    return Tensor(shape: [rays, samples], scalars: Array((0..<rays).map { _ in row }.joined()))
  }

  /// Stratified sampling (Eq. 2) around the same points: each depth moves uniformly within the interval
  /// between its neighbours' midpoints (the ends stay inside [near, far]), drawn from `rng`.
  public static func jitteredDepths(rays: Int, samples: Int, near: Float, far: Float, rng: inout RandomGenerator) -> Tensor {
    let base = depths(rays: 1, samples: samples, near: near, far: far).scalars
    var out = [Float](repeating: 0, count: rays * samples)
    for r in 0..<rays {
      for i in 0..<samples {
        let lo = i == 0 ? near : (base[i - 1] + base[i]) / 2, hi = i == samples - 1 ? far : (base[i] + base[i + 1]) / 2
        out[r * samples + i] = lo + (hi - lo) * rng.nextFloat()
      }
    }
    return Tensor(shape: [rays, samples], scalars: out)
  }

  /// The sample points o + t d [R, P, 3] of rays with origins and unit directions [R, 3] at depths [R, P].
  public static func points(origins: Tensor, directions: Tensor, depths: Tensor) -> Tensor {
    let r = depths.shape[0], p = depths.shape[1]
    precondition(origins.shape == [r, 3] && directions.shape == [r, 3], "rays must be [\(r), 3], got \(origins.shape) and \(directions.shape)")
    return origins.reshaped([r, 1, 3]) + directions.reshaped([r, 1, 3]) * depths.reshaped([r, p, 1])
  }

  /// Composites raw field outputs [R, P, 4] (colour logits, raw density) at depths [R, P] (Eq. 3):
  /// colour sigmoid(logits), density `density`(raw), over a uniform `background` (1: white).
  public static func composite(raw: Tensor, depths: Tensor, density: Density = .relu, background: Float = 1) -> Output {
    let r = depths.shape[0], p = depths.shape[1]
    precondition(depths.rank == 2 && p >= 2 && raw.shape == [r, p, 4], "volume rendering needs raw [\(r), \(p), 4] for depths \(depths.shape), got \(raw.shape)")
    let colour = raw.slice(axis: 2, 0, 3).sigmoid()
    let s = raw.slice(axis: 2, 3, 4).reshaped([r, p])
    let sigma = density == .relu ? s.relu() : s.softplus()
    let delta = Tensor.concat([depths.slice(axis: 1, 1, p) - depths.slice(axis: 1, 0, p - 1), Tensor.full([r, 1], 1e-3)], axis: 1)
    let tau = sigma * delta
    let weights = (-tau.cumsum(axis: 1, exclusive: true)).exp() * (1 - (-tau).exp())
    let opacity = weights.sum(axis: 1)
    let rgb = (weights.reshaped([r, p, 1]) * colour).sum(axis: 1) + (1 - opacity).reshaped([r, 1]) * background
    return Output(rgb: rgb, depth: (weights * depths).sum(axis: 1), opacity: opacity, weights: weights)
  }
}
