import ArgumentParser
import Foundation
import NeuralFields
import Signals

struct Decode: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decode a model file at any resolution: an image (.png/.jpg), audio (.wav) or a mesh (.obj).",
    discussion: "Images keep the original size unless --size WxH is given (any size and aspect); audio keeps the original sample rate unless --rate is given; shapes are extracted by marching tetrahedra on a --resolution^3 grid.")

  @Argument(help: "Model file written by `hyperinr fit`.")
  var model: String
  @Option(name: .shortAndLong, help: "Output file: .png or .jpg for images, .wav for audio.")
  var output: String
  @Option(help: "Image size as WIDTHxHEIGHT, e.g. 1536x1024.")
  var size: String?
  @Option(help: "Audio sample rate in Hz.")
  var rate: Int?
  @Option(help: "Shapes: grid resolution per axis for surface extraction.")
  var resolution: Int = 128

  /// Checks --rate and --resolution (decode, decompress, reconstruct, eval); grid resolutions are
  /// bounded so that the n^3 evaluation fits in memory (512^3 points take ~3 GB).
  static func checkRate(_ rate: Int?, resolution: Int = 128) throws {
    try Limits.require(rate.flatMap { Limits.check("--rate (Hz)", $0, Limits.sampleRate) },
                       Limits.check("--resolution", resolution, Limits.resolution))
  }

  static func parseSize(_ s: String) throws -> (Int, Int) {
    let parts = s.lowercased().split(separator: "x").compactMap { Int($0) }
    let most = Limits.pixels.upperBound
    guard parts.count == 2, parts[0] > 0, parts[1] > 0, parts[0] <= most, parts[1] <= most, parts[0] * parts[1] <= most else {
      throw ValidationError("--size must be WIDTHxHEIGHT with positive integers and at most 67M pixels (e.g. 1536x1024), got '\(s)'")
    }
    return (parts[0], parts[1])
  }

  func validate() throws {
    if let size { _ = try Self.parseSize(size) }
    try Decode.checkRate(rate, resolution: resolution)
  }

  func run() throws {
    try Console.reportingErrors {
      let m = try FittedModel.load(URL(fileURLWithPath: model))
      let out = URL(fileURLWithPath: output)
      try OutputPath.check([out], inputs: [URL(fileURLWithPath: model)])
      Console.note("wrote " + (try Self.write(m, to: out, size: size.map(Self.parseSize), rate: rate, resolution: resolution).summary))
    }
  }

  /// Decodes a field to a file by its kind and the output's extension; returns a one-line summary (and the
  /// image, for callers that compare it with an original).
  static func write(_ m: FittedModel, to out: URL, size: (Int, Int)?, rate: Int?, resolution: Int) throws -> (summary: String, image: Image?) {
    let ext = out.pathExtension.lowercased()
    switch m.signal.kind {
    case .image:
      guard ["png", "jpg", "jpeg"].contains(ext) else { throw SignalError(out.path, "an image decodes to .png or .jpg, not '.\(ext)'") }
      let (w, h) = size ?? (m.signal.size[1], m.signal.size[0])
      let img = try m.image(height: h, width: w)
      if ext == "png" { try img.writePNG(out) } else { try img.writeJPEG(out, quality: 95) }
      return ("\(out.path) (\(w)x\(h))", img)
    case .audio:
      guard ext == "wav" else { throw SignalError(out.path, "audio decodes to .wav, not '.\(ext)'") }
      let wave = try m.audio(sampleRate: rate ?? m.signal.sampleRate)
      try wave.writeWAV(out)
      return ("\(out.path) (\(wave.frames) frames at \(wave.sampleRate) Hz)", nil)
    case .occupancy:
      guard ext == "obj" else { throw SignalError(out.path, "a shape decodes to .obj, not '.\(ext)'") }
      let mesh = try m.mesh(resolution: resolution)
      try mesh.writeOBJ(out)
      return ("\(out.path) (\(mesh.vertices.count) vertices, \(mesh.triangles.count) triangles at \(resolution)^3)", nil)
    }
  }
}
