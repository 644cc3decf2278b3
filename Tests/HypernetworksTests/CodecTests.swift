import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import XCTest

final class CodecTests: XCTestCase {
  private func smallImage() -> Image {
    Image(pixels: Tensor.build([12, 20, 3]) { p, _ in
      for i in 0..<12 { for j in 0..<20 { for c in 0..<3 {
        p[(i * 20 + j) * 3 + c] = 0.5 + 0.3 * Foundation.sin(Float(i + 2 * c) / 3) * Foundation.cos(Float(j) / 5)
      } } }
    })
  }

  private func trained(bits: Int) throws -> (DecoderOnlyHypernetwork, CompressedField, Image) {
    let img = smallImage()
    let net = DOHCodec.targetNet(channels: 3, hiddenLayers: 2, width: 16, positionalFrequencies: 4)
    let doh = DecoderOnlyHypernetwork(target: net, latentDim: DOHCodec.latentDim(fraction: 0.6, net: net), seed: 9)
    let fitter = FieldFitter(net: net, settings: FitSettings(steps: 200, learningRate: 5e-3, batch: 0, seed: 9),
                             signal: FieldSignal.image(img), parameters: doh)
    try fitter.run { _ in }
    return (doh, DOHCodec.quantize(doh, signal: FieldSignal.image(img).info, bits: bits), img)
  }

  /// compress -> decompress reproduces the encoder's dequantized reconstruction bit for bit.
  func testRoundTripIsBitwiseEqual() throws {
    for bits in Quantizer.supportedBits {
      let (doh, file, img) = try trained(bits: bits)
      let encoderView = DOHCodec.image(doh, height: 12, width: 20)
      let decoded = try CompressedField.decode(file.encoded(), path: "x.hinr")
      XCTAssertEqual(decoded, file)
      let decoderView = DOHCodec.image(DOHCodec.model(decoded), height: 12, width: 20)
      XCTAssertEqual(decoderView.pixels.scalars, encoderView.pixels.scalars, "\(bits) bits")
      if bits >= 8 { XCTAssertGreaterThan(Metrics.psnr(decoderView.pixels, img.pixels), 20, "\(bits) bits: the fit survives quantization") }
    }
  }

  /// Audio and occupancy headers (kind, rate, mesh normalisation) survive the file format.
  func testAudioAndShapeHeadersRoundTrip() throws {
    for kind in [FieldSignal.Info.Kind.audio, .occupancy] {
      let net = DOHCodec.targetNet(channels: 1, hiddenLayers: 2, width: 8, positionalFrequencies: 3, kind: kind)
      let doh = DecoderOnlyHypernetwork(target: net, latentDim: 30, seed: 2)
      let info = FieldSignal.Info(kind: kind, size: [500], channels: 1, sampleRate: kind == .audio ? 8000 : 0,
                                  meshTransform: kind == .occupancy ? [0.5, -1, 2, 3.5] : nil)
      let file = DOHCodec.quantize(doh, signal: info, bits: 6)
      let back = try CompressedField.decode(file.encoded(), path: "x.hinr")
      XCTAssertEqual(back, file)
      let model = DOHCodec.fittedModel(back)
      XCTAssertEqual(model.signal, info)
      XCTAssertEqual(model.net.inputDim, kind == .audio ? 1 : 3)
      if kind == .audio { XCTAssertEqual(try model.audio(sampleRate: 16000).frames, 1000) }
    }
  }

  func testDamagedFilesGiveClearErrors() throws {
    let (_, file, _) = try trained(bits: 8)
    let good = file.encoded()
    var flipped = good
    flipped[good.count / 2] ^= 0x01
    var magic = good
    magic[0] = UInt8(ascii: "X")
    let cases: [(Data, String)] = [(flipped, "CRC-32"), (good.prefix(good.count - 7), "CRC-32"), (good.prefix(20), "truncated"), (magic, "magic")]
    for (data, needle) in cases {
      XCTAssertThrowsError(try CompressedField.decode(data, path: "bad.hinr")) { e in
        XCTAssert(String(describing: e).contains("bad.hinr") && String(describing: e).contains(needle), "\(e)")
      }
    }
  }

  func testQuantizerAndRateControl() throws {
    let q = Quantizer(bits: 4, fitting: [-1, 0.5, 2])
    XCTAssertEqual(q.quantize([-1, 0.5, 2]), [0, 8, 15])
    let back = q.dequantize(q.quantize([-1, 0.5, 2]))
    XCTAssertEqual(back[0], -1)
    XCTAssertEqual(back[2], 2)
    XCTAssertEqual(back[1], 0.6, accuracy: 1e-6)
    let net = DOHCodec.targetNet(channels: 3)
    XCTAssertEqual(net.layerShapes.count, 10)
    XCTAssertEqual(DOHCodec.latentDim(fraction: 1, net: net), 2 * 40 + 40 + 8 * (40 * 40 + 40) + 40 * 3 + 3)
    let d = try DOHCodec.latentDim(bpp: 0.3, pixels: 768 * 512, bits: 8, net: net)
    let biases = net.layerShapes.reduce(0) { $0 + $1.1 }
    XCTAssertLessThanOrEqual(Double((d + biases) * 8 + 8 * (69 + 4 + 16)) / Double(768 * 512), 0.3)
    XCTAssertThrowsError(try DOHCodec.latentDim(bpp: 0.001, pixels: 100, bits: 8, net: net)) {
      XCTAssert(String(describing: $0).contains("too low"))
    }
    XCTAssertThrowsError(try DOHCodec.latentDim(bpp: 24, pixels: 768 * 512, bits: 8, net: net)) {
      XCTAssert(String(describing: $0).contains("more than 4x"))
    }
  }
}

final class QuantizedMLPTests: XCTestCase {
  func testQuantizationErrorShrinksWithBits() {
    var rng = RandomGenerator(seed: 3)
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 2, width: 16)
    let layers = net.initialWeights(rng: &rng).packed
    let coords = Tensor.uniform([64, 2], low: -1, high: 1, rng: &rng)
    let reference = net(coords, INRWeights(packed: layers))
    var last = Double.infinity
    for bits in Quantizer.supportedBits {
      let (q, size) = QuantizedMLP.quantize(layers, bits: bits)
      // Header, CRC and ranges, then the packed codes: deflate may shave a little, or add its few framing bytes.
      let packed = (net.parameterCount * bits + 7) / 8, fixed = CompressedField.headerBytes + 4 + 8 * layers.count
      XCTAssertGreaterThan(size, fixed + packed / 2)
      XCTAssertLessThanOrEqual(size, fixed + packed + 16)
      for (a, b) in zip(q, layers) {
        let range = b.scalars.max()! - b.scalars.min()!
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, range / Float((1 << bits) - 1) / 2 + range * 2e-6)  // half a step, plus Float rounding
      }
      let err = Double((net(coords, INRWeights(packed: q)) - reference).squaredNorm())
      XCTAssertLessThan(err, last)
      last = err
    }
  }
}
