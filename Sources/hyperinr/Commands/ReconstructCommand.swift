import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Reconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Reconstruct an image or a sound with a trained model (any method), or render new views of an object from one view: INR weights from one pass, then decode at any size, rate or pose.",
    discussion: """
      The input goes through the model's test transform (images: e.g. resize and centre crop to the training \
      size; audio: cut or zero-padded to the clip length, at the model's sample rate). A model trained on a \
      context fraction sees a random context of the input (--context writes it); a probabilistic model \
      (PONP) also writes its per-pixel uncertainty with --uncertainty. --tto-steps refines the generated \
      weights by Adam on the observed samples before decoding. Prints the encode and decode times, and \
      PSNR (SSIM for images) against the transformed input when decoding at the model's own size or rate.

      A view-synthesis model (task views) takes one input view (.png, composited on white, of the model's \
      view size) with its camera (--camera: a JSON file with camera_angle_x and transform_matrix, or a \
      transforms.json with a frame for the view) and renders the NeRF it predicts from --pose or --turntable.
      """ + " " + PoseOptions.discussion)

  @Option(help: "A checkpoint written by `hyperinr train`.")
  var model: String
  @Argument(help: "Input image (.png/.jpg) or sound (.wav).")
  var input: String
  @Option(name: .shortAndLong, help: "Output image (.png/.jpg) or sound (.wav).")
  var output: String
  @Option(help: "Image output size as WIDTHxHEIGHT (default: the model's image size).")
  var size: String?
  @Option(help: "Audio output sample rate in Hz (default: the model's).")
  var rate: Int?
  @Option(help: "Probabilistic image models: write the predicted standard deviation (mean over channels) as a grey PNG, white = the largest.")
  var uncertainty: String?
  @Option(help: "Models trained on a context fraction: write the observed pixels (others black) as a PNG.")
  var context: String?
  @OptionGroup var tto: TestTimeOptions
  @Option(help: "View models: the input view's camera (JSON: camera_angle_x and transform_matrix, or a transforms.json).")
  var camera: String?
  @OptionGroup var poses: PoseOptions

  func validate() throws {
    if let size { _ = try Decode.parseSize(size) }
    try Decode.checkRate(rate)
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      let pictures = [uncertainty, context].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
      for p in pictures where p.pathExtension.lowercased() != "png" { throw SignalError(p.path, "--uncertainty and --context write .png files") }
      try OutputPath.check([out] + pictures, inputs: [input, model].map { URL(fileURLWithPath: $0) })
      let m = try GeneralizableModel.load(URL(fileURLWithPath: model))
      if let views = m.task as? ViewSynthesis {
        try reconstructViews(m, views)
        return
      }
      if camera != nil || poses.given { throw SignalError(model, "--camera, --pose and --turntable are for view-synthesis models (task views)") }
      let info = m.task.info
      if uncertainty != nil && !(m.predictor.hyponet.isProbabilistic && info.kind == .image) {
        throw SignalError(model, "--uncertainty needs a probabilistic image model (probabilistic: true)")
      }
      if context != nil && !(m.config.isPartial && info.kind == .image) {
        throw SignalError(model, "--context needs an image model trained on a context fraction (data.contextFraction < 1)")
      }
      let signal = try m.task.load(URL(fileURLWithPath: input), seed: m.config.train.seed).unsqueezed(0)
      let t0 = DispatchTime.now().uptimeNanoseconds
      let obs = m.observations(of: signal)
      let w = m.weights(for: obs, ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
      let t1 = DispatchTime.now().uptimeNanoseconds
      let fitted = FittedModel(net: m.predictor.hyponet, signal: info, parameters: w.instance(0).packed)
      let (summary, img) = try Decode.write(fitted, to: out, size: try size.map(Decode.parseSize), rate: rate, resolution: 1)
      let t2 = DispatchTime.now().uptimeNanoseconds
      var line = String(format: "wrote %@; encode %.1f ms%@, decode + write %.1f ms", summary, Double(t1 - t0) * 1e-6,
                        tto.steps > 0 ? " (with \(tto.steps) TTO steps)" : "", Double(t2 - t1) * 1e-6)
      let reference = signal.reshaped(Array(signal.shape.dropFirst()))
      if let img, img.height == info.size[0], img.width == info.size[1] {
        line += String(format: "; PSNR %.2f dB, ", Metrics.psnr(img.pixels, reference)) + Metrics.ssimSummary(img.pixels, reference)
      }
      let scoresAudio = info.kind == .audio && (rate ?? info.sampleRate) == info.sampleRate
      // The INR on the model's own grid, for the audio PSNR and the uncertainty map only.
      let onGrid = scoresAudio || uncertainty != nil
        ? m.predictor.hyponet.split(GradMode.withoutGradients { m.predictor.hyponet(m.task.queries(of: signal), w) }) : nil
      if scoresAudio, let mean = onGrid?.mean, let score = m.task.scores(m.task.signals(fromSamples: mean), signal).first {
        line += String(format: "; PSNR %.2f dB", score.psnr)
      }
      if let uncertainty {
        if let scale = onGrid?.scale {
          let sigma = scale.mean(axis: scale.rank - 1, keepdims: true), top = max(sigma.scalars.max() ?? 1, 1e-12)
          try Image(pixels: (sigma * (1 / top)).reshaped([info.size[0], info.size[1], 1]).broadcast(to: [info.size[0], info.size[1], 3]))
            .writePNG(URL(fileURLWithPath: uncertainty))
          line += String(format: "; uncertainty %@ (white = sigma %.4f)", uncertainty, top)
        }
      }
      if let context, let mask = obs.mask {
        try Image(pixels: (signal * mask).reshaped(Array(signal.shape.dropFirst()))).writePNG(URL(fileURLWithPath: context))
        line += "; context \(context)"
      }
      print(line)
    }
  }

  /// New views of the object seen in `input`: the NeRF the model predicts from it, rendered from the poses.
  private func reconstructViews(_ m: GeneralizableModel, _ task: ViewSynthesis) throws {
    if let option = [size.map { _ in "--size" }, rate.map { _ in "--rate" }, uncertainty.map { _ in "--uncertainty" },
                     context.map { _ in "--context" }].compactMap({ $0 }).first {
      throw SignalError(model, "\(option) is not for view-synthesis models")
    }
    guard let camera else { throw SignalError(model, "a view-synthesis model needs the input view's camera: --camera FILE.json") }
    guard task.support == 1 else { throw SignalError(model, "this model takes \(task.support) input views; reconstruct gives it one") }
    let inputURL = URL(fileURLWithPath: input), cameraURL = URL(fileURLWithPath: camera)
    let out = try poses.outputs(output, inputs: [inputURL, URL(fileURLWithPath: model), cameraURL])[0]
    let view = try Image.load(inputURL, alpha: .composite(background: 1)).rgb
    guard view.width == task.size && view.height == task.size else {
      throw SignalError(input, "is \(view.width)x\(view.height); the model takes views of \(task.size)x\(task.size)")
    }
    let cam = try MultiViewScene.camera(json: cameraURL, view: inputURL, width: task.size, height: task.size)
    let t0 = DispatchTime.now().uptimeNanoseconds
    let signal = ViewObjectSet.rayPixels(view, cam).reshaped([1, 1, task.size, task.size, ViewObjectSet.channels])
    let w = m.weights(for: task.observations(of: signal, views: [[0]]), ttoSteps: tto.steps, ttoLearningRate: tto.learningRate)
    let t1 = DispatchTime.now().uptimeNanoseconds
    let info = SceneModel.Info(rendering: task.settings.rendering, angleX: cam.angleX, size: task.size,
                               radius: (cam.position * cam.position).sum().squareRoot())
    let scene = SceneModel(net: m.predictor.hyponet, info: info, parameters: w.instance(0).packed)
    let summary = try poses.render(scene, to: out, size: nil, fov: nil)
    print(String(format: "wrote %@; encode %.1f ms%@", summary, Double(t1 - t0) * 1e-6, tto.steps > 0 ? " (with \(tto.steps) TTO steps)" : ""))
  }
}
