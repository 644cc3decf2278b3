import Foundation
import HyperNN
import NeuralFields
import HyperTensor
import Signals

/// Everything that defines a generalizable-INR training run (Trans-INR or Learned Init on an image set).
/// Written to YAML by users (configs/*.yaml) and stored as JSON in every checkpoint.
public struct TrainingConfig: Codable, Equatable, Sendable {
  public enum Method: String, Codable, Sendable {
    case transINR = "trans-inr"
    case learnedInit = "learned-init"
  }

  /// How images become size x size training or test items.
  public enum TransformKind: String, Codable, Sendable {
    /// Resize to size x size (aspect not kept).
    case resize
    /// Resize the short side to `resize` (default: size), then centre crop size x size.
    case resizeCenterCrop = "resize-center-crop"
    /// Centre crop size x size.
    case centerCrop = "center-crop"
    /// Random size x size crop.
    case randomCrop = "random-crop"
    /// Random crop and a random horizontal flip.
    case randomCropFlip = "random-crop-flip"
  }

  public struct DataSet: Codable, Equatable, Sendable {
    /// Folders (searched recursively for .png/.jpg) or text files listing one image path per line.
    public var train: String
    public var test: String
    /// Side of the square images the model sees.
    public var size: Int
    public var trainTransform: TransformKind
    public var testTransform: TransformKind
    /// Short side before cropping, for resize-center-crop (CelebA protocol: 178 then crop 178).
    public var resize: Int?
    /// Test images used for evaluation: the first `testCount` of a seeded shuffle (0: all).
    public var testCount: Int
  }

  /// The Fourier-feature ReLU INR (NeuralFields.HypoNet `.fourier`).
  public struct INR: Codable, Equatable, Sendable {
    public var hiddenLayers: Int
    public var width: Int
    public var frequencies: Int
    public var sigma: Float
  }

  public struct TransINRSettings: Codable, Equatable, Sendable {
    public var patch: Int
    public var dim: Int
    public var depth: Int
    public var heads: Int
    /// Weight-token groups G per INR layer.
    public var groups: Int
    /// Tokenize 2 x - 1 (pixels in [-1, 1]) instead of x in [0, 1]; absent: false.
    public var centredPixels: Bool?
  }

  public struct LearnedInitSettings: Codable, Equatable, Sendable {
    public var innerSteps: Int
    public var innerLearningRate: Float
    /// First-order Reptile instead of second-order MAML.
    public var reptile: Bool
  }

  public struct Optimization: Codable, Equatable, Sendable {
    public var steps: Int
    public var batch: Int
    public var learningRate: Float
    /// "cosine" (with `warmup`) or "constant".
    public var schedule: String
    public var warmup: Int
    /// Pixels per image in the loss (a seeded random subset); 0: all.
    public var pixels: Int
    public var seed: UInt64
    public var logEvery: Int
    public var evalEvery: Int
    public var checkpointEvery: Int
  }

  public var method: Method
  public var data: DataSet
  public var inr: INR
  public var transINR: TransINRSettings?
  public var learnedInit: LearnedInitSettings?
  public var train: Optimization

  /// The hyponet of the run: Fourier features, ReLU MLP, output bias 0.5 (images in [0, 1]).
  public var hyponet: HypoNet {
    HypoNet(kind: .fourier, inputDim: 2, outputDim: 3, hiddenLayers: inr.hiddenLayers, width: inr.width,
            frequencies: inr.frequencies, sigma: inr.sigma, outputBias: 0.5)
  }

  public func transform(test: Bool) -> ImageFolder.Transform {
    switch test ? data.testTransform : data.trainTransform {
    case .resize: return .resize(size: data.size)
    case .resizeCenterCrop: return .resizeCenterCrop(resize: data.resize ?? data.size, crop: data.size)
    case .centerCrop: return .centerCrop(size: data.size)
    case .randomCrop: return .randomCrop(size: data.size, flip: false)
    case .randomCropFlip: return .randomCrop(size: data.size, flip: true)
    }
  }

  public var schedule: LearningRateSchedule {
    train.schedule == "constant" ? .constant : .cosine(warmup: train.warmup, total: train.steps, minFactor: 0.01)
  }

  /// Problems a run would otherwise hit late, as "key: what is expected" lines.
  public func problems() -> [String] {
    var p: [String] = []
    if data.size < 11 { p.append("data.size: must be at least 11 (SSIM window), got \(data.size)") }
    if data.testCount < 0 { p.append("data.testCount: must be >= 0") }
    if inr.hiddenLayers < 1 || inr.width < 1 || inr.frequencies < 1 || !(inr.sigma > 0) {
      p.append("inr: hiddenLayers, width, frequencies and sigma must be positive")
    }
    switch method {
    case .transINR:
      if let t = transINR {
        if t.patch < 1 || data.size % t.patch != 0 { p.append("transINR.patch: must divide data.size \(data.size), got \(t.patch)") }
        if t.heads < 1 || t.dim % t.heads != 0 { p.append("transINR.heads: must divide transINR.dim \(t.dim), got \(t.heads)") }
        if t.depth < 1 || t.groups < 1 { p.append("transINR.depth and transINR.groups must be positive") }
      } else {
        p.append("transINR: required when method is trans-inr")
      }
    case .learnedInit:
      if let l = learnedInit {
        if l.innerSteps < 1 || !(l.innerLearningRate > 0) { p.append("learnedInit: innerSteps and innerLearningRate must be positive") }
      } else {
        p.append("learnedInit: required when method is learned-init")
      }
    }
    let t = train
    if t.steps < 1 || t.batch < 1 || !(t.learningRate > 0) { p.append("train: steps, batch and learningRate must be positive") }
    if !["cosine", "constant"].contains(t.schedule) { p.append("train.schedule: expected cosine or constant, got \(t.schedule)") }
    if t.pixels < 0 || t.warmup < 0 || t.logEvery < 1 || t.evalEvery < 0 || t.checkpointEvery < 0 {
      p.append("train: pixels, warmup, evalEvery and checkpointEvery must be >= 0 and logEvery >= 1")
    }
    return p
  }
}

extension TrainingConfig {
  /// The fixed evaluation images [N, S, S, 3]: the first `data.testCount` of a seeded shuffle of the test
  /// set (or of `path`), with the test transform, in shuffled order.
  public func testImages(from path: String? = nil, count: Int? = nil) throws -> Tensor {
    let folder = try ImageFolder.open(path ?? data.test, transform: transform(test: true))
    var rng = RandomGenerator(seed: train.seed ^ 0x7E57)
    let n = folder.files.count, k = count ?? data.testCount
    let order = Array(rng.permutation(n).prefix(k > 0 ? min(k, n) : n))
    return try folder.batch(order, seed: train.seed)
  }
}
