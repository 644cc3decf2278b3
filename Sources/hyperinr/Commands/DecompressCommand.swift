import ArgumentParser
import Foundation
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals

struct Decompress: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decode a .hinr file: an image (.png/.jpg, any --size), audio (.wav, any --rate) or a shape (.obj).")

  @Argument(help: "A .hinr file written by `hyperinr compress`.")
  var file: String
  @Option(name: .shortAndLong, help: "Output: .png/.jpg for images, .wav for audio, .obj for shapes.")
  var output: String
  @Option(help: "Image size as WIDTHxHEIGHT (default: the original size).")
  var size: String?
  @Option(help: "Audio sample rate in Hz (default: the original).")
  var rate: Int?
  @Option(help: "Shapes: grid resolution per axis for surface extraction.")
  var resolution: Int = 128
  @Option(help: "Images: the original, to print PSNR and SSIM.")
  var original: String?

  func validate() throws {
    if let size { _ = try Decode.parseSize(size) }
    try Decode.checkRate(rate, resolution: resolution)
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      try OutputPath.check([out], inputs: [URL(fileURLWithPath: file)])
      let data = try FileContents.read(URL(fileURLWithPath: file))
      let f = try CompressedField.decode(data, path: file)
      // The original is read and checked before anything is written.
      let decodedSize = try size.map(Decode.parseSize) ?? (f.width, f.height)
      let ref = try original.flatMap { path -> Image? in
        guard f.kind == .image else { return nil }
        let ref = try Image.load(URL(fileURLWithPath: path), alpha: .composite(background: 1))
        guard ref.width == decodedSize.0, ref.height == decodedSize.1, ref.channels == f.channels else {
          throw SignalError(path, "is \(ref.width)x\(ref.height)x\(ref.channels), the decoded image \(decodedSize.0)x\(decodedSize.1)x\(f.channels)")
        }
        return ref
      }
      let (summary, img) = try Decode.write(DOHCodec.fittedModel(f), to: out, size: decodedSize, rate: rate, resolution: resolution)
      var line = "wrote \(summary) from \(data.count) bytes"
      if let ref, let img {
        line += String(format: ", %.4f bpp; PSNR %.2f dB, ", Double(data.count * 8) / Double(f.width * f.height),
                       Metrics.psnrQuantized(img.pixels, ref.pixels)) + Metrics.ssimSummary(img.pixels, ref.pixels)
      }
      print(line)
    }
  }
}
