import HyperNN
import HyperTensor
import Signals

/// How a scene's radiance field is rendered (NeRF, Mildenhall et al. 2020, Sec. 4): `samples` depths per
/// ray in [near, far] (Eq. 2) and the density activation of the quadrature (Eq. 3, `VolumeRendering`).
public struct SceneRendering: Codable, Equatable, Sendable {
  public var near: Float
  public var far: Float
  public var samples: Int
  public var density: VolumeRendering.Density

  public init(near: Float = 2, far: Float = 6, samples: Int = 64, density: VolumeRendering.Density = .softplus) {
    self.near = near
    self.far = far
    self.samples = samples
    self.density = density
  }

  /// The most samples per ray.
  public static let sampleLimit = 2...1024

  /// Values that cannot render, as "NAME ..." lines (empty when usable); `prefix` names where they came from.
  public func problems(prefix: String) -> [String] {
    [Limits.check("\(prefix)samples", samples, Self.sampleLimit),
     near.isFinite && near >= 0 ? nil : "\(prefix)near must be a finite number >= 0, got \(near)",
     far.isFinite && far > near && far <= 1e6 ? nil : "\(prefix)far must be finite, above near (\(near)) and at most 1e6, got \(far)"].compactMap { $0 }
  }

  /// The composited rays (origins and unit directions [R, 3], or [B, R, 3] for a batch of B fields with
  /// `weights` per instance) at depths [B R, P] through `net` (3-D points to three colour logits and a raw
  /// density), over white; differentiable. The outputs are per ray, [B R, ...].
  public func render(_ net: HypoNet, _ weights: INRWeights, origins: Tensor, directions: Tensor, depths: Tensor) -> VolumeRendering.Output {
    let lead = Array(origins.shape.dropLast()), r = depths.shape[0], p = depths.shape[1]
    let points = VolumeRendering.points(origins: origins.reshaped([r, 3]), directions: directions.reshaped([r, 3]), depths: depths)
    let raw = net(points.reshaped(lead.dropLast() + [lead[lead.count - 1] * p, 3]), weights).reshaped([r, p, 4])
    return VolumeRendering.composite(raw: raw, depths: depths, density: density)
  }

  /// Rays per piece when many rays are rendered piece by piece: about 4096 sample points, whose
  /// activations stay in the caches (W5 on Zen 4, a 1024-ray training step of 64 samples per ray: about
  /// 270-300 -> 250-262 ms on 1 thread and 180 -> 130-150 ms on 2 against the step in one piece).
  public var chunkRays: Int { max(1, 4096 / samples) }

  /// The view from `camera` at the unjittered depths, `chunk` rays at a time (default `chunkRays`), without
  /// gradients. With at least two pieces per worker the pieces are shared out over the workers, each
  /// rendering whole pieces with its operations run serially (W5's render on 2 threads ~190 -> ~170 ms on
  /// Zen 4: fewer, larger pieces of work than every product split over the threads); with fewer pieces the
  /// operations themselves run threaded. The forward kernels split their work by rows, so the view is the
  /// same for any thread count (tested).
  public func view(_ net: HypoNet, _ weights: INRWeights, camera: PinholeCamera, chunk: Int? = nil) -> RenderedView {
    let (o, d) = camera.rays(), n = o.shape[0], chunk = chunk ?? chunkRays
    precondition(chunk >= 1, "a view renders at least one ray per piece")
    let starts = Array(stride(from: 0, to: n, by: chunk))
    var pieces = [VolumeRendering.Output?](repeating: nil, count: starts.count)
    pieces.withUnsafeMutableBufferPointer { buffer in
      let out = buffer
      let piece = { (i: Int) in
        let s = starts[i], e = min(n, s + chunk)
        let t = VolumeRendering.depths(rays: e - s, samples: samples, near: near, far: far)
        out[i] = GradMode.withoutGradients { render(net, weights, origins: o.slice(axis: 0, s, e), directions: d.slice(axis: 0, s, e), depths: t) }
      }
      guard starts.count >= 2 * Parallel.threads else { return starts.indices.forEach(piece) }
      let groups = min(starts.count, 1024)  // iterations of one parallel run are bounded; each takes every groups-th piece
      Parallel.run(groups) { g in for i in stride(from: g, to: starts.count, by: groups) { piece(i) } }
    }
    let parts = pieces.map { $0! }
    let h = camera.height, w = camera.width
    return RenderedView(rgb: Image(pixels: Tensor.concat(parts.map(\.rgb), axis: 0).reshaped([h, w, 3])),
                        depth: Tensor.concat(parts.map(\.depth), axis: 0).reshaped([h, w]),
                        opacity: Tensor.concat(parts.map(\.opacity), axis: 0).reshaped([h, w]), near: near, far: far)
  }
}

/// A rendered view: colour over white, expected depth and opacity per pixel ([H, W] each).
public struct RenderedView {
  public var rgb: Image
  public var depth: Tensor
  public var opacity: Tensor
  /// The depth range the rays were sampled in.
  public var near: Float, far: Float

  /// The opacity as a grey image (white: opaque).
  public var opacityImage: Image { Image(pixels: opacity.reshaped(opacity.shape + [1])) }

  /// The depth of the opaque part as a grey image: the expected depth divided by the opacity, mapped
  /// from near (white) to far (black); transparent pixels (opacity below 0.05) are black.
  public var depthImage: Image {
    let d = depth.scalars, a = opacity.scalars, span = far - near
    let grey = (0..<d.count).map { i -> Float in a[i] < 0.05 ? 0 : min(max(1 - (d[i] / a[i] - near) / span, 0), 1) }
    return Image(pixels: Tensor(shape: depth.shape + [1], scalars: grey))
  }
}
