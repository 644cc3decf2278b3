import Foundation
import HyperTensor
import Signals

/// A signal prepared for fitting: coordinates [N, D] in [-1, 1], targets [N, C], and how to turn INR
/// outputs back into a file.
public struct FieldSignal {
  /// What the signal is and its native sampling; stored in model files so `decode` needs nothing else.
  public struct Info: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case image, audio, occupancy }
    public var kind: Kind
    /// Image: [height, width]; audio: [frames]; occupancy: [sample count].
    public var size: [Int]
    public var channels: Int
    /// Audio sample rate (0 otherwise).
    public var sampleRate: Int
    /// Occupancy: the mesh's normalisation (centre x, y, z, scale): field coordinates = (p - centre) * scale.
    public var meshTransform: [Float]?

    public init(kind: Kind, size: [Int], channels: Int, sampleRate: Int, meshTransform: [Float]? = nil) {
      self.kind = kind
      self.size = size
      self.channels = channels
      self.sampleRate = sampleRate
      self.meshTransform = meshTransform
    }

    /// Values no signal of `kind` can have (read from an untrusted file), as "signal.FIELD ..." lines;
    /// `net` must match it (coordinates of the kind's dimension, one output per channel).
    public func problems(for net: HypoNet) -> [String] {
      var p: [String?] = []
      switch kind {
      case .image:
        p.append(size.count == 2 && size.allSatisfy { (1...Limits.pixels.upperBound).contains($0) } && size[0] * size[1] <= Limits.pixels.upperBound ? nil
          : "signal.size must be [height, width] with at most \(Limits.pixels.upperBound) pixels, got \(size)")
        p.append(Limits.check("signal.channels", channels, 1...4))
      case .audio:
        p.append(size.count == 1 ? Limits.check("signal.size (frames)", size[0], Limits.audioFrames) : "signal.size must be [frames], got \(size)")
        p += [Limits.check("signal.channels", channels, 1...Waveform.maxChannels), Limits.check("signal.sampleRate", sampleRate, 1...Waveform.maxSampleRate)]
      case .occupancy:
        p.append(size.count == 1 && size[0] >= 0 ? nil : "signal.size must be [samples], got \(size)")
        p.append(channels == 1 ? nil : "signal.channels must be 1 for occupancy, got \(channels)")
        p.append(meshTransform.map { $0.count == 4 && $0.allSatisfy(\.isFinite) && $0[3] > 0 } ?? true ? nil
          : "signal.meshTransform must be 4 finite numbers with a positive scale")
      }
      let dim = kind == .image ? 2 : (kind == .audio ? 1 : 3)
      if net.inputDim != dim || net.outputDim != channels {
        p.append("the net maps \(net.inputDim)-D coordinates to \(net.outputDim) outputs, but a \(kind.rawValue) of \(channels) channels needs \(dim)-D to \(channels)")
      }
      return p.compactMap { $0 }
    }
  }

  public var info: Info
  public var coords: Tensor
  public var targets: Tensor

  /// Loads .png/.jpg/.jpeg (alpha composited on white), .wav, or .obj/.ply (occupancy samples drawn with
  /// `seed`) by extension.
  public static func load(_ url: URL, seed: UInt64 = 0) throws -> FieldSignal {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
      throw SignalError(url.path, "is a folder, expected a signal file (.png, .jpg, .wav, .obj or .ply)")
    }
    switch url.pathExtension.lowercased() {
    case "png", "jpg", "jpeg":
      return image(try Image.load(url, alpha: .composite(background: 1)))
    case "wav":
      return audio(try Waveform.load(url))
    case "obj", "ply":
      return occupancy(try Mesh.load(url), seed: seed)
    default:
      throw SignalError(url.path, "unsupported signal type '.\(url.pathExtension)' (expected .png, .jpg, .jpeg, .wav, .obj or .ply)")
    }
  }

  /// Occupancy samples of a mesh normalised into [-0.9, 0.9]^3: 100k uniform and 100k near-surface points
  /// (noise sigma 0.02), labelled 1 inside.
  public static func occupancy(_ mesh: Mesh, seed: UInt64, uniform: Int = 100_000, nearSurface: Int = 100_000) -> FieldSignal {
    let (lo, hi) = mesh.bounds
    let centre = (lo + hi) / 2, size = (hi - lo).max()
    let scale: Float = size > 0 ? 1.8 / size : 1
    let normalized = Mesh(vertices: mesh.vertices.map { ($0 - centre) * scale }, triangles: mesh.triangles)
    var rng = RandomGenerator(seed: seed)
    let (points, inside) = OccupancySampler.sample(normalized, uniform: uniform, nearSurface: nearSurface, sigma: 0.02, rng: &rng)
    let coords = Tensor.build([points.count, 3]) { p, _ in
      for (i, q) in points.enumerated() { p[3 * i] = q.x; p[3 * i + 1] = q.y; p[3 * i + 2] = q.z }
    }
    return FieldSignal(info: Info(kind: .occupancy, size: [points.count], channels: 1, sampleRate: 0,
                                  meshTransform: [centre.x, centre.y, centre.z, scale]),
                       coords: coords, targets: Tensor(shape: [points.count, 1], scalars: inside.map { $0 ? 1 : 0 }))
  }

  public static func image(_ img: Image) -> FieldSignal {
    FieldSignal(info: Info(kind: .image, size: [img.height, img.width], channels: img.channels, sampleRate: 0),
                coords: CoordinateGrid.image(height: img.height, width: img.width),
                targets: img.pixels.reshaped([img.height * img.width, img.channels]))
  }

  public static func audio(_ w: Waveform) -> FieldSignal {
    FieldSignal(info: Info(kind: .audio, size: [w.frames], channels: w.channels, sampleRate: w.sampleRate),
                coords: CoordinateGrid.audio(frames: w.frames), targets: w.samples)
  }

  /// Input dimension of the field.
  public var inputDim: Int { coords.shape[1] }

  /// Peak-to-peak range of the signal's values (1 for images in [0, 1], 2 for audio in [-1, 1]); PSNR is
  /// reported relative to it.
  public var range: Float { info.kind == .image ? 1 : 2 }
}
