import Foundation
import HyperTensor
import NeuralFields
import Signals

/// Image regression (Trans-INR Sec. 4.1): RGB images of size x size in [0, 1], coordinates of pixel
/// centres; scored by PSNR and SSIM of the 8-bit decoded reconstruction.
public struct ImageReconstruction: GridTask {
  public var size: Int
  public var trainTransform: ImageFolder.Transform
  public var testTransform: ImageFolder.Transform
  public let coords: Tensor

  public init(size: Int, trainTransform: ImageFolder.Transform, testTransform: ImageFolder.Transform) {
    self.size = size
    self.trainTransform = trainTransform
    self.testTransform = testTransform
    coords = CoordinateGrid.image(height: size, width: size)
  }

  public var grid: [Int] { [size, size] }
  public var channels: Int { 3 }
  public var outputBias: Float { 0.5 }
  public var range: Float { 1 }
  public var info: FieldSignal.Info { FieldSignal.Info(kind: .image, size: [size, size], channels: 3, sampleRate: 0) }

  public func open(_ path: String, test: Bool) throws -> any SignalSet {
    try ImageFolder.open(path, transform: test ? testTransform : trainTransform)
  }

  public func load(_ url: URL, seed: UInt64) throws -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return try ImageFolder(files: [url], transform: testTransform).item(0, rng: &rng)
  }

  public func scores(_ reconstructions: Tensor, _ signals: Tensor) -> [SignalScore] {
    let r = Metrics.quantized8(reconstructions), shape = Array(signals.shape.dropFirst())
    return (0..<signals.shape[0]).map { i in
      let a = r.slice(axis: 0, i, i + 1).reshaped(shape), b = signals.slice(axis: 0, i, i + 1).reshaped(shape)
      return SignalScore(psnr: Metrics.psnr(a, b), ssim: Metrics.ssim(a, b))
    }
  }
}
