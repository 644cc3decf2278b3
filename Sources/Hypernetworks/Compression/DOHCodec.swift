import Foundation
import HyperTensor
import NeuralFields
import Signals

/// D'OH as a codec for images, audio and occupancy fields: rate set by the latent size, post-training
/// quantization, deflate.
public enum DOHCodec {
  /// The paper's target network: SIREN, 9 hidden layers of 40, w0 30, 10 positional-encoding frequencies
  /// (images: output bias 0.5; audio: first-layer w0 3000).
  public static func targetNet(channels: Int, hiddenLayers: Int = 9, width: Int = 40, positionalFrequencies: Int = 10,
                               kind: FieldSignal.Info.Kind = .image) -> HypoNet {
    HypoNet(kind: .siren, inputDim: CompressedField.inputDim(kind), outputDim: channels, hiddenLayers: hiddenLayers, width: width,
            w0First: kind == .audio ? 3000 : 30, outputBias: kind == .image ? 0.5 : 0,
            positionalFrequencies: positionalFrequencies)
  }

  /// d as a fraction of the target's parameter count counted without positional encoding (as the paper).
  public static func latentDim(fraction: Double, net: HypoNet) -> Int {
    var plain = net
    plain.positionalFrequencies = nil
    return max(1, Int((fraction * Double(plain.parameterCount)).rounded()))
  }

  /// The largest d whose quantized latent, biases, header and deflate framing (16 bytes allowed) fit `bpp`
  /// bits per pixel: d = floor((bpp * pixels - overhead bits) / bits) - biases. Deflate rarely shrinks a
  /// dense 8-bit stream, so the file lands at or just under the target.
  public static func latentDim(bpp: Double, pixels: Int, bits: Int, net: HypoNet) throws -> Int {
    let biases = net.layerShapes.reduce(0) { $0 + $1.1 }
    let overhead = Double(8 * (CompressedField.headerBytes + 4 + 16))
    let budget = bpp * Double(pixels) - overhead
    let d = Int((budget / Double(bits)).rounded(.down)) - biases
    guard d >= 1 else {
      throw FitError(description: String(format: "--bpp %.4g is too low for this image and target network (header and %d biases alone need %.4g bpp)",
                                         bpp, biases, (overhead + Double(biases * bits)) / Double(pixels)))
    }
    let cap = 4 * latentDim(fraction: 1, net: net)
    guard d <= cap else {
      throw FitError(description: String(format: "--bpp %.4g asks for a latent of %d, more than 4x the target network's %d parameters; lower --bpp or enlarge the target (--layers, --width)",
                                         bpp, d, cap / 4))
    }
    return d
  }

  /// Quantizes the hypernetwork's latent and biases to `bits`, writes the dequantized values back into it
  /// (so the encoder's reconstruction is exactly what a decoder rebuilds) and returns the file contents.
  public static func quantize(_ doh: DecoderOnlyHypernetwork, signal: FieldSignal.Info, bits: Int) -> CompressedField {
    let latent = doh.gamma.value.scalars
    let biases = doh.biases.flatMap { $0.value.scalars }
    let lq = Quantizer(bits: bits, fitting: latent), bq = Quantizer(bits: bits, fitting: biases)
    let (h, w) = signal.kind == .image ? (signal.size[0], signal.size[1]) : (signal.size[0], signal.sampleRate)
    let file = CompressedField(kind: signal.kind, height: h, width: w, channels: signal.channels, meshTransform: signal.meshTransform,
                               net: doh.target, seed: doh.seed,
                               latentDim: doh.latentDim, latentQuantizer: lq, biasQuantizer: bq,
                               latentCodes: lq.quantize(latent), biasCodes: bq.quantize(biases))
    load(file, into: doh)
    return file
  }

  /// Writes a file's dequantized values into a hypernetwork of the same shape.
  static func load(_ file: CompressedField, into doh: DecoderOnlyHypernetwork) {
    doh.gamma.assign(Tensor(shape: [file.latentDim, 1], scalars: file.latentQuantizer.dequantize(file.latentCodes)))
    var b = file.biasQuantizer.dequantize(file.biasCodes)[...]
    for p in doh.biases {
      let n = p.value.count
      p.assign(Tensor(shape: p.shape, scalars: Array(b.prefix(n))))
      b = b.dropFirst(n)
    }
  }

  /// Rebuilds the encoder's dequantized model from a file.
  public static func model(_ file: CompressedField) -> DecoderOnlyHypernetwork {
    let doh = DecoderOnlyHypernetwork(target: file.net, latentDim: file.latentDim, seed: file.seed)
    load(file, into: doh)
    return doh
  }

  /// The decoded signal as a fitted-field model (decode audio and shapes through `FittedModel`).
  public static func fittedModel(_ file: CompressedField) -> FittedModel {
    let doh = model(file)
    return FittedModel(net: file.net, signal: file.info, parameters: GradMode.withoutGradients { doh.generatedParameters() })
  }

  /// Decodes at any size.
  public static func image(_ doh: DecoderOnlyHypernetwork, height: Int, width: Int) -> Image {
    let weights = GradMode.withoutGradients { doh.hyponetWeights }
    let out = FittedModel.evaluate(doh.target, weights, CoordinateGrid.image(height: height, width: width))
    return Image(pixels: out.reshaped([height, width, doh.target.outputDim]))
  }
}
