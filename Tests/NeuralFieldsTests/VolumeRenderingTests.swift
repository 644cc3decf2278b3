import Foundation
import HyperTensor
import NeuralFields
import Signals
import XCTest

/// Volume rendering against a closed form (a sphere of constant density: transmittance exp(-sigma L) over
/// its chord L), against finite differences, and the samplers and the NeRF encoding.
final class VolumeRenderingTests: XCTestCase {
  /// Raw field outputs of a sphere of radius r and density sigma0 with colour c at the points [R, P, 3].
  private func sphereField(_ pts: Tensor, radius r: Float, density sigma0: Float, colour c: SIMD3<Float>, centre o: SIMD3<Float> = .zero) -> Tensor {
    let x = pts.scalars, n = pts.count / 3
    func logit(_ v: Float) -> Float { Foundation.log(v / (1 - v)) }
    var raw = [Float](repeating: 0, count: n * 4)
    for i in 0..<n {
      let p = SIMD3(x[3 * i], x[3 * i + 1], x[3 * i + 2]) - o, inside = (p * p).sum() < r * r
      raw[4 * i] = logit(c.x); raw[4 * i + 1] = logit(c.y); raw[4 * i + 2] = logit(c.z)
      raw[4 * i + 3] = inside ? sigma0 : -5  // ReLU: 0 outside
    }
    return Tensor(shape: Array(pts.shape.dropLast()) + [4], scalars: raw)
  }

  func testSphereOfConstantDensityMatchesTheClosedForm() {
    let r: Float = 0.5, c = SIMD3<Float>(0.2, 0.6, 0.9)
    // Rays along +y from y = -4 at offsets b from the centre: chord 2 sqrt(r^2 - b^2); b = 0.7 misses.
    let offsets: [Float] = [0, 0.3, 0.45, 0.7]
    let origins = Tensor(shape: [4, 3], scalars: offsets.flatMap { [$0, -4, 0] })
    let dirs = Tensor(shape: [4, 3], scalars: offsets.flatMap { _ in [Float(0), 1, 0] })
    for (sigma0, tol) in [(Float(2), Float(3e-3)), (Float(0.5), Float(2e-3))] {
      let t = VolumeRendering.depths(rays: 4, samples: 4001, near: 2, far: 6)
      let out = VolumeRendering.composite(raw: sphereField(VolumeRendering.points(origins: origins, directions: dirs, depths: t),
                                                           radius: r, density: sigma0, colour: c), depths: t)
      for (k, b) in offsets.enumerated() {
        let chord = b < r ? 2 * (r * r - b * b).squareRoot() : 0, opacity = 1 - Foundation.exp(-sigma0 * chord)
        XCTAssertEqual(out.opacity.scalars[k], opacity, accuracy: tol, "sigma \(sigma0) b \(b)")
        for ch in 0..<3 { XCTAssertEqual(out.rgb.scalars[3 * k + ch], opacity * c[ch] + (1 - opacity), accuracy: tol, "sigma \(sigma0) b \(b) channel \(ch)") }
      }
    }
    // Nearly opaque: the expected depth is the first surface, 4 - r on the central ray; weights sum to the opacity.
    let t = VolumeRendering.depths(rays: 1, samples: 4001, near: 2, far: 6)
    let o = Tensor(shape: [1, 3], scalars: [0, -4, 0]), d = Tensor(shape: [1, 3], scalars: [0, 1, 0])
    let dense = VolumeRendering.composite(raw: sphereField(VolumeRendering.points(origins: o, directions: d, depths: t), radius: r, density: 2000, colour: c), depths: t)
    XCTAssertEqual(dense.opacity.item(), 1, accuracy: 1e-4)
    XCTAssertEqual(dense.depth.item(), 4 - r, accuracy: 3e-3)
    XCTAssertEqual(dense.weights.sum().item(), dense.opacity.item(), accuracy: 1e-5)
    // Softplus densities of large raw values equal ReLU's.
    let soft = VolumeRendering.composite(raw: sphereField(VolumeRendering.points(origins: o, directions: d, depths: t), radius: r, density: 40, colour: c),
                                         depths: t, density: .softplus)
    XCTAssertEqual(soft.opacity.item(), 1 - Foundation.exp(-40 * 2 * r), accuracy: 0.02)
  }

  func testGradientsMatchFiniteDifferences() {
    var rng = RandomGenerator(seed: 11)
    for density in [VolumeRendering.Density.relu, .softplus] {
      let raw = Tensor.uniform([2, 5, 4], low: -1.5, high: 1.5, rng: &rng).requiringGrad()
      let t = VolumeRendering.jitteredDepths(rays: 2, samples: 5, near: 2, far: 6, rng: &rng)
      let wc = Tensor.uniform([2, 3], low: -1, high: 1, rng: &rng), wd = Tensor.uniform([2], low: -1, high: 1, rng: &rng)
      let loss = { (x: Tensor) -> Tensor in
        let o = VolumeRendering.composite(raw: x, depths: t, density: density, background: 0.7)
        return (o.rgb * wc).sum() + (o.depth * wd).sum() + o.opacity.sum()
      }
      let g = gradients(of: loss(raw), wrt: [raw])[0]
      for i in 0..<raw.count {
        func at(_ e: Float) -> Double {
          var v = raw.scalars
          v[i] += e
          return Double(GradMode.withoutGradients { loss(Tensor(shape: raw.shape, scalars: v)) }.item())
        }
        if density == .relu && abs(raw.scalars[i]) < 2e-3 { continue }  // ReLU's kink
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
        XCTAssertEqual(Double(g.scalars[i]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(density) [\(i)]")
      }
    }
  }

  func testSamplersAndTheNeRFEncoding() {
    XCTAssertEqual(VolumeRendering.depths(rays: 2, samples: 5, near: 2, far: 6).scalars, [2, 3, 4, 5, 6, 2, 3, 4, 5, 6])
    var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
    let j = VolumeRendering.jitteredDepths(rays: 50, samples: 8, near: 2, far: 6, rng: &a)
    XCTAssertEqual(j.scalars, VolumeRendering.jitteredDepths(rays: 50, samples: 8, near: 2, far: 6, rng: &b).scalars)
    for r in 0..<50 {
      let row = Array(j.scalars[(r * 8)..<(r * 8 + 8)])
      XCTAssert(row.first! >= 2 && row.last! <= 6 && zip(row, row.dropFirst()).allSatisfy { $0 < $1 }, "\(row)")
    }
    let fourth: [Float] = (0..<50).map { j.scalars[$0 * 8 + 3] }
    let mean: Float = fourth.reduce(0, +) / 50, unjittered: Float = 2 + 3 * 4 / 7
    XCTAssertEqual(mean, unjittered, accuracy: 0.1)  // centred on the unjittered point
    // NeRF's encoding: frequencies 2^linspace(0, log2 sigma, F) without pi; the Fourier kind has pi.
    let x = Tensor(shape: [1, 1], scalars: [0.3])
    let nerf = HypoNet(kind: .nerf, inputDim: 1, outputDim: 4, hiddenLayers: 1, width: 4, frequencies: 3, sigma: 4)
    let fourier = HypoNet(kind: .fourier, inputDim: 1, outputDim: 4, hiddenLayers: 1, width: 4, frequencies: 3, sigma: 4)
    let f: [Float] = [1, 2, 4]
    for (got, want) in zip(nerf.encode(x).scalars, f.map { Foundation.cos($0 * 0.3) } + f.map { Foundation.sin($0 * 0.3) }) { XCTAssertEqual(got, want, accuracy: 1e-5) }
    for (got, want) in zip(fourier.encode(x).scalars, f.map { Foundation.cos(.pi * $0 * 0.3) } + f.map { Foundation.sin(.pi * $0 * 0.3) }) { XCTAssertEqual(got, want, accuracy: 1e-5) }
    XCTAssertEqual(nerf.layerShapes.map(\.0), [6, 4])
  }

  /// The two renderers agree: a dense sphere's volume-rendered opacity through a camera's pixel rays is the
  /// mesh renderer's alpha of the same sphere (one ray per pixel), up to the mesh's facets at the rim.
  func testVolumeRenderedSphereMatchesTheMeshRenderersSilhouette() {
    let r: Float = 0.6, centre = SIMD3<Float>(0.3, 0.2, 0.35)  // off the image centre, so a flipped axis shows
    var mesh = ViewRenderer(mesh: ProceduralShape.sphere(centre: centre, radius: r, segments: 64), albedo: .solid(SIMD3(0.5, 0.5, 0.5)))
    mesh.samples = 1
    let cam = PinholeCamera(width: 32, height: 32, angleX: 0.7, cameraToWorld: PinholeCamera.lookAt(eye: SIMD3(2.5, -2.9, 1.2)))
    let view = mesh.render(cam).pixels.scalars
    let alpha = stride(from: 3, to: 32 * 32 * 4, by: 4).map { view[$0] }
    let (o, d) = cam.rays()
    XCTAssertEqual(o.shape, [1024, 3])
    let t = VolumeRendering.depths(rays: 1024, samples: 256, near: 2, far: 6)
    let raw = sphereField(VolumeRendering.points(origins: o, directions: d, depths: t), radius: r, density: 500, colour: SIMD3(0.5, 0.5, 0.5), centre: centre)
    let opacity = VolumeRendering.composite(raw: raw, depths: t).opacity.scalars
    let inside = alpha.filter { $0 > 0.5 }.count
    let disagree = zip(alpha, opacity).filter { ($0 > 0.5) != ($1 > 0.5) }.count
    XCTAssertGreaterThan(inside, 100)
    XCTAssertLessThanOrEqual(disagree, inside / 50, "\(disagree) of \(inside) silhouette pixels differ")
  }

  /// A small NeRF fitted to 12 rendered views of a two-tone sphere (250 steps of 512 rays) renders 4
  /// held-out views far better than the best constant colour, and the same seed gives the same fit.
  func testSceneFitterLearnsHeldOutViews() throws {
    var rng = RandomGenerator(seed: 6)
    var renderer = ViewRenderer(mesh: ProceduralShape.sphere(centre: .zero, radius: 0.8, segments: 24),
                                albedo: .twoTone(top: SIMD3(0.9, 0.3, 0.2), bottom: SIMD3(0.2, 0.4, 0.9), split: 0))
    renderer.samples = 2
    let cams = PinholeCamera.orbit(count: 16, radius: 4, width: 16, height: 16, angleX: 0.69, rng: &rng)
    let views = cams.map { renderer.render($0).compositing(background: 1) }
    let train = MultiViewScene(cameras: Array(cams.prefix(12)), views: Array(views.prefix(12)))
    let net = HypoNet(kind: .nerf, inputDim: 3, outputDim: 4, hiddenLayers: 3, width: 64, frequencies: 6, sigma: 8)
    let settings = FitSettings(steps: 250, learningRate: 3e-3, batch: 512, seed: 2)
    let rendering = SceneRendering(samples: 32, density: .relu)
    func fit(steps: Int = 250) throws -> SceneFitter {
      let f = SceneFitter(scene: train, net: net, settings: settings, rendering: rendering)
      for _ in 0..<steps { _ = try f.trainStep() }
      return f
    }
    let fitter = try fit()
    let held = Array(zip(cams, views).suffix(4))
    let model = fitter.model
    let fitted = held.map { Metrics.psnr(model.render($0.0).rgb.pixels, $0.1.pixels) }.reduce(0, +) / 4
    let mean = Tensor.concat(held.map { $0.1.pixels.reshaped([256, 3]) }, axis: 0).mean(axis: 0)
    let constant = held.map { v in Metrics.psnr(mean.reshaped([1, 1, 3]) * Tensor.full([16, 16, 1], 1), v.1.pixels) }.reduce(0, +) / 4
    XCTAssertGreaterThan(fitted, 25, "held-out PSNR \(fitted) dB (31.5 when written)")
    XCTAssertGreaterThan(fitted, constant + 12, "held-out PSNR \(fitted) dB against the best constant's \(constant) dB")
    XCTAssertEqual(try fit().model.render(held[0].0).rgb.pixels.scalars, model.render(held[0].0).rgb.pixels.scalars)
    // Rendering piece by piece (rendering.chunkRays = 128 rays here; 7) gives the view rendered in one piece,
    // and the pieces shared out over two workers give the view of one worker exactly.
    let whole = rendering.view(net, fitter.parameters.hyponetWeights, camera: held[0].0, chunk: 256)
    for chunk in [nil, 7] {
      let v = rendering.view(net, fitter.parameters.hyponetWeights, camera: held[0].0, chunk: chunk)
      for (a, b) in zip(v.rgb.pixels.scalars + v.depth.scalars, whole.rgb.pixels.scalars + whole.depth.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    for chunk in [nil, 7] {  // 2 pieces (threaded operations) and 37 pieces (shared out over the workers)
      let byThreads = [1, 2].map { t -> [Float] in
        Parallel.threads = t
        let v = rendering.view(net, fitter.parameters.hyponetWeights, camera: held[0].0, chunk: chunk)
        return v.rgb.pixels.scalars + v.depth.scalars + v.opacity.scalars
      }
      XCTAssertEqual(byThreads[0], byThreads[1], "pieces of \(chunk ?? rendering.chunkRays) rays")
    }

    // A checkpoint at step 100, resumed, continues to the same weights as the uninterrupted fit; the saved
    // model renders what the fitter renders; another scene's views are refused.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("scene-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try fit(steps: 100).checkpoint(to: url)
    let resumed = try SceneFitter.resume(from: url, scene: train)
    XCTAssertEqual(resumed.step, 100)
    for _ in 100..<250 { _ = try resumed.trainStep() }
    XCTAssertEqual(resumed.parameters.layers.map(\.value.scalars), fitter.parameters.layers.map(\.value.scalars))
    try resumed.checkpoint(to: url)
    XCTAssertEqual(try SceneModel.load(url).render(held[1].0).rgb.pixels.scalars, model.render(held[1].0).rgb.pixels.scalars)
    let other = MultiViewScene(cameras: Array(cams.suffix(12)), views: Array(views.suffix(12)))
    XCTAssertThrowsError(try SceneFitter.resume(from: url, scene: other)) { XCTAssertTrue("\($0)".contains("other training views"), "\($0)") }
  }
}
