import ArgumentParser
import Foundation
import NeuralFields
import Signals

struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare a reconstruction with its reference: PSNR and SSIM for images, PSNR for audio, IoU for meshes.")

  @Argument(help: "Reconstruction (.png/.jpg, .wav, or .obj/.ply).")
  var reconstruction: String
  @Argument(help: "Reference of the same kind, size and channels.")
  var reference: String
  @Option(help: "Meshes: grid resolution of the IoU (in the reference's bounding box, normalised to [-0.9, 0.9]^3).")
  var resolution: Int = 128

  func validate() throws { try Decode.checkRate(nil, resolution: resolution) }

  func run() throws {
    try Console.reportingErrors {
      if ["obj", "ply"].contains(URL(fileURLWithPath: reference).pathExtension.lowercased()) {
        let a = try Mesh.load(URL(fileURLWithPath: reconstruction)), b = try Mesh.load(URL(fileURLWithPath: reference))
        let (lo, hi) = b.bounds
        let centre = (lo + hi) / 2, scale = 1.8 / max((hi - lo).max(), 1e-12)
        func norm(_ m: Mesh) -> Mesh { Mesh(vertices: m.vertices.map { ($0 - centre) * scale }, triangles: m.triangles) }
        let iou = OccupancySampler.iou(OccupancySampler.grid(norm(a), resolution: resolution),
                                       OccupancySampler.grid(norm(b), resolution: resolution))
        print(String(format: "IoU %.4f at %d^3", iou, resolution))
        return
      }
      let a = try FieldSignal.load(URL(fileURLWithPath: reconstruction))
      let b = try FieldSignal.load(URL(fileURLWithPath: reference))
      guard a.info.kind == b.info.kind, a.info.size == b.info.size, a.info.channels == b.info.channels else {
        throw SignalError(reconstruction, "size \(a.info.size) x \(a.info.channels) does not match the reference's \(b.info.size) x \(b.info.channels)")
      }
      let range = Double(b.range)
      let psnr = Metrics.psnr(a.targets, b.targets) + 20 * Foundation.log10(range)
      if a.info.kind == .image {
        let shape = [b.info.size[0], b.info.size[1], b.info.channels]
        print(String(format: "PSNR %.3f dB  ", psnr) + Metrics.ssimSummary(a.targets.reshaped(shape), b.targets.reshaped(shape)))
      } else {
        print(String(format: "PSNR %.3f dB (signal range 2)", psnr))
      }
    }
  }
}
