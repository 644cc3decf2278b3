import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Reconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Reconstruct an image with a trained Trans-INR or Learned Init: one forward pass to INR weights, then decode at any size.",
    discussion: """
      The image goes through the model's test transform (e.g. resize and centre crop to the training size). \
      --tto-steps refines Trans-INR's generated weights by Adam on the input's pixels before decoding. \
      Prints the encode and decode times, and PSNR/SSIM against the transformed input when decoding at the \
      model's own size.
      """)

  @Option(help: "A checkpoint written by `hyperinr train`.")
  var model: String
  @Argument(help: "Input image (.png/.jpg).")
  var image: String
  @Option(name: .shortAndLong, help: "Output image (.png/.jpg).")
  var output: String
  @Option(help: "Output size as WIDTHxHEIGHT (default: the model's image size).")
  var size: String?
  @OptionGroup var tto: TestTimeOptions

  func validate() throws {
    if let size { _ = try Decode.parseSize(size) }
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      try OutputPath.checkWritable(out)
      let m = try GeneralizableModel.load(URL(fileURLWithPath: model))
      let input = try m.task.load(URL(fileURLWithPath: image), seed: m.config.train.seed)
      let s = m.config.data.size
      let t0 = DispatchTime.now().uptimeNanoseconds
      let w = m.weights(for: input.unsqueezed(0), ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
      let t1 = DispatchTime.now().uptimeNanoseconds
      let fitted = FittedModel(net: m.predictor.hyponet, signal: m.task.info, parameters: w.instance(0).packed)
      let (summary, img) = try Decode.write(fitted, to: out, size: try size.map(Decode.parseSize), rate: nil, resolution: 1)
      let t2 = DispatchTime.now().uptimeNanoseconds
      var line = String(format: "wrote %@; encode %.1f ms%@, decode + write %.1f ms", summary, Double(t1 - t0) * 1e-6,
                        tto.steps > 0 ? " (with \(tto.steps) TTO steps)" : "", Double(t2 - t1) * 1e-6)
      if let img, img.height == s, img.width == s {
        line += String(format: "; PSNR %.2f dB, ", Metrics.psnr(img.pixels, input)) + Metrics.ssimSummary(img.pixels, input)
      }
      print(line)
    }
  }
}
