import Foundation
import HyperTensor
import Signals

/// A signal prepared for fitting: coordinates [N, D] in [-1, 1], targets [N, C], and how to turn INR
/// outputs back into a file.
public struct FieldSignal {
  /// What the signal is and its native sampling; stored in model files so `decode` needs nothing else.
  public struct Info: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case image, audio }
    public var kind: Kind
    /// Image: [height, width]; audio: [frames].
    public var size: [Int]
    public var channels: Int
    /// Audio sample rate (0 for images).
    public var sampleRate: Int
  }

  public var info: Info
  public var coords: Tensor
  public var targets: Tensor

  /// Loads .png/.jpg/.jpeg (alpha composited on white) or .wav by extension.
  public static func load(_ url: URL) throws -> FieldSignal {
    switch url.pathExtension.lowercased() {
    case "png", "jpg", "jpeg":
      return image(try Image.load(url, alpha: .composite(background: 1)))
    case "wav":
      return audio(try Waveform.load(url))
    default:
      throw SignalError(url.path, "unsupported signal type '.\(url.pathExtension)' (expected .png, .jpg, .jpeg or .wav)")
    }
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

  /// Peak-to-peak range of the signal's values (1 for images in [0, 1], 2 for audio in [-1, 1]); PSNR is
  /// reported relative to it.
  public var range: Float { info.kind == .image ? 1 : 2 }
}
