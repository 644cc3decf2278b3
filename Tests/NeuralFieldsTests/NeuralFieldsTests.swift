import Foundation
import HyperNN
import HyperTensor
import NeuralFields
import Signals
import XCTest

final class HypoNetTests: XCTestCase {
  /// A batch of parameter sets gives the same outputs as each set alone (the hypernetwork layout).
  func testBatchedParametersMatchSingleInstances() {
    for kind in HypoNet.Kind.allCases {
      let net = HypoNet(kind: kind, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 16, frequencies: 4, sigma: 8,
                        outputBias: 0.5)
      var rng = RandomGenerator(seed: 1)
      let p1 = net.initialWeights(rng: &rng).packed, p2 = net.initialWeights(rng: &rng).packed
      let coords = Tensor.uniform([10, 2], low: -1, high: 1, rng: &rng)
      let batched = net(coords, INRWeights(packed: zip(p1, p2).map { Tensor.stack([$0, $1]) }))
      XCTAssertEqual(batched.shape, [2, 10, 3])
      let single = Tensor.stack([net(coords, INRWeights(packed: p1)), net(coords, INRWeights(packed: p2))])
      for (a, b) in zip(batched.scalars, single.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(kind)") }
      XCTAssertEqual(net.parameterCount, p1.reduce(0) { $0 + $1.count })
    }
  }

  func testSirenInitialisationBounds() {
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 1, hiddenLayers: 2, width: 64)
    var rng = RandomGenerator(seed: 2)
    let p = net.initialWeights(rng: &rng).packed
    let first = p[0].slice(axis: 0, 0, 2).scalars, hidden = p[1].slice(axis: 0, 0, 64).scalars
    XCTAssertLessThanOrEqual(first.map(abs).max()!, 0.5)
    XCTAssertGreaterThan(first.map(abs).max()!, 0.4)
    let bound = Float(6.0 / 64).squareRoot() / 30
    XCTAssertLessThanOrEqual(hidden.map(abs).max()!, bound)
    XCTAssertGreaterThan(hidden.map(abs).max()!, 0.9 * bound)
  }

  /// Gradients with respect to the INR parameters, through sine, Fourier features and ReLU.
  func testParameterGradientsMatchFiniteDifferences() {
    for kind in HypoNet.Kind.allCases {
      let net = HypoNet(kind: kind, inputDim: 2, outputDim: 2, hiddenLayers: 1, width: 5, w0: 3, w0First: 3,
                        frequencies: 2, sigma: 2)
      var rng = RandomGenerator(seed: 3)
      let params = net.initialWeights(rng: &rng).packed.map { $0.requiringGrad() }
      let coords = Tensor.uniform([6, 2], low: -1, high: 1, rng: &rng)
      let loss = { (ps: [Tensor]) in (net(coords, INRWeights(packed: ps)) * net(coords, INRWeights(packed: ps))).sum() }
      let g = gradients(of: loss(params), wrt: params)
      for k in 0..<params.count {
        for i in Swift.stride(from: 0, to: params[k].count, by: 3) {
          func at(_ d: Float) -> Double {
            var v = params[k].scalars
            v[i] += d
            var ps = params.map { $0.detached() }
            ps[k] = Tensor(shape: params[k].shape, scalars: v)
            return Double(GradMode.withoutGradients { loss(ps) }.item())
          }
          let numeric = (at(1e-3) - at(-1e-3)) / 2e-3
          XCTAssertEqual(Double(g[k].scalars[i]), numeric, accuracy: 3e-3 + 3e-2 * abs(numeric), "\(kind) layer \(k) [\(i)]")
        }
      }
    }
  }
}

final class FieldFitterTests: XCTestCase {
  private func smoothImage() -> FieldSignal {
    let t = Tensor.build([16, 16, 3]) { p, _ in
      for i in 0..<16 { for j in 0..<16 { for c in 0..<3 {
        p[(i * 16 + j) * 3 + c] = 0.5 + 0.4 * Foundation.sin(Float(i) / 3 + Float(c)) * Foundation.cos(Float(j) / 4)
      } } }
    }
    return FieldSignal.image(Image(pixels: t))
  }

  private let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 32, outputBias: 0.5)

  func testFitsASmoothImage() throws {
    let f = FieldFitter(net: net, settings: FitSettings(steps: 300, learningRate: 1e-3, batch: 0, seed: 1), signal: smoothImage())
    try f.run { _ in }
    XCTAssertGreaterThan(Metrics.psnr(f.reconstruction(), f.signal.targets), 35)
  }

  /// An interrupted run resumed from its checkpoint ends bitwise equal to an uninterrupted run.
  func testResumeContinuesExactly() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-fit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let settings = FitSettings(steps: 40, learningRate: 1e-3, batch: 64, seed: 5, cosineDecay: true)
    let full = FieldFitter(net: net, settings: settings, signal: smoothImage())
    var losses: [Float] = []
    try full.run { losses.append($0.loss) }
    let first = FieldFitter(net: net, settings: settings, signal: smoothImage())
    var resumedLosses: [Float] = []
    try first.run(shouldStop: { first.step >= 17 }) { resumedLosses.append($0.loss) }
    let ckpt = dir.appendingPathComponent("ckpt.safetensors")
    try first.checkpoint(to: ckpt)
    let second = try FieldFitter.resume(from: ckpt, signal: smoothImage())
    XCTAssertEqual(second.step, 17)
    try second.run { resumedLosses.append($0.loss) }
    XCTAssertEqual(resumedLosses, losses)
    XCTAssertEqual(second.parameters.hyponetWeights.packed.map(\.scalars), full.parameters.hyponetWeights.packed.map(\.scalars))
  }

  func testModelFileDecodesAtAnyResolutionAndRejectsOtherFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-fit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = FieldFitter(net: net, settings: FitSettings(steps: 5, learningRate: 1e-3, batch: 0, seed: 1), signal: smoothImage())
    try f.run { _ in }
    let url = dir.appendingPathComponent("m.safetensors")
    try f.checkpoint(to: url)
    let m = try FittedModel.load(url)
    XCTAssertEqual(try m.image(height: 16, width: 16).pixels.scalars, f.reconstruction().scalars)
    XCTAssertEqual(try m.image(height: 37, width: 5).pixels.shape, [37, 5, 3])
    XCTAssertThrowsError(try m.audio(sampleRate: 8000))

    let other = dir.appendingPathComponent("other.safetensors")
    try SafeTensors.write([("w", Tensor([1]))], to: other)
    XCTAssertThrowsError(try FittedModel.load(other)) { XCTAssert(String(describing: $0).contains("not a HyperINR field model")) }
    var tensors = try SafeTensors.read(url)
    tensors.tensors[0].1 = Tensor.zeros([2, 2])
    try SafeTensors.write(tensors.tensors, metadata: tensors.metadata, to: other)
    XCTAssertThrowsError(try FittedModel.load(other)) { XCTAssert(String(describing: $0).contains("layers.0 has shape")) }
  }

  func testAudioFitAndDecodeAtAnotherRate() throws {
    let w = Waveform(samples: Tensor.build([200, 1]) { p, n in for i in 0..<n { p[i] = 0.5 * Foundation.sin(Float(i) / 5) } }, sampleRate: 8000)
    let net = HypoNet(kind: .siren, inputDim: 1, outputDim: 1, hiddenLayers: 2, width: 32, w0First: 100)
    let f = FieldFitter(net: net, settings: FitSettings(steps: 300, learningRate: 1e-3, batch: 0, seed: 2), signal: FieldSignal.audio(w))
    try f.run { _ in }
    XCTAssertGreaterThan(Metrics.psnr(f.reconstruction(), w.samples) + 20 * Foundation.log10(2), 30)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-fit-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: dir) }
    try f.checkpoint(to: dir)
    XCTAssertEqual(try FittedModel.load(dir).audio(sampleRate: 16000).frames, 400)
  }

  func testDivergenceIsReported() {
    let f = FieldFitter(net: net, settings: FitSettings(steps: 50, learningRate: 1e30, batch: 0, seed: 1), signal: smoothImage())
    XCTAssertThrowsError(try f.run { _ in }) { XCTAssert(String(describing: $0).contains("diverged")) }
  }
}

final class OccupancyFitTests: XCTestCase {
  /// A unit-cube mesh fitted as an occupancy field decodes to a closed mesh with IoU > 0.9.
  func testFitsAndExtractsACube() throws {
    var v: [SIMD3<Float>] = []
    for i in 0..<8 {
      let corner = SIMD3<Float>(Float(i & 1), Float((i >> 1) & 1), Float((i >> 2) & 1))
      v.append(corner * 2 - SIMD3<Float>(repeating: 1))
    }
    let quads: [[Int32]] = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]]
    var tris: [SIMD3<Int32>] = []
    for q in quads {
      tris.append(SIMD3(q[0], q[1], q[2]))
      tris.append(SIMD3(q[0], q[2], q[3]))
    }
    let cube = Mesh(vertices: v, triangles: tris)
    let signal = FieldSignal.occupancy(cube, seed: 1, uniform: 4000, nearSurface: 4000)
    XCTAssertEqual(signal.info.meshTransform, [0, 0, 0, 0.9])
    let inside = signal.targets.scalars.filter { $0 > 0.5 }.count
    XCTAssertGreaterThan(inside, 1000)
    let net = HypoNet(kind: .fourier, inputDim: 3, outputDim: 1, hiddenLayers: 2, width: 64, frequencies: 4, sigma: 4)
    let f = FieldFitter(net: net, settings: FitSettings(steps: 400, learningRate: 3e-3, batch: 2048, seed: 1), signal: signal)
    var last = 0.0
    try f.run { last = $0.psnr }
    XCTAssertGreaterThan(last, 90)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cube-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try f.checkpoint(to: url)
    let mesh = try FittedModel.load(url).mesh(resolution: 24)
    let iou = OccupancySampler.iou(OccupancySampler.grid(mesh.normalized(extent: 0.9), resolution: 32),
                                   OccupancySampler.grid(cube.normalized(extent: 0.9), resolution: 32))
    XCTAssertGreaterThan(iou, 0.9)
  }
}
