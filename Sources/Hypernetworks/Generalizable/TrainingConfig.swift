import Foundation
import HyperNN
import NeuralFields
import HyperTensor
import Signals

/// Everything that defines a generalizable-INR training run: the method (any name of
/// `MethodRegistry`, with its settings in the section the method names, e.g. `transINR:`), the task and
/// its data, the INR, and the optimisation. Written to YAML by users (configs/*.yaml) and stored as JSON
/// in every checkpoint.
public struct TrainingConfig: Codable, Equatable, Sendable {
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
    /// Audio: the clips' sample rate (required for task audio; `size` is then the clip length in samples).
    public var sampleRate: Int?
    /// Regular expressions on file names choosing the training and test signals (absent: all).
    public var trainMatch: String?
    public var testMatch: String?
    /// Partial observation (PONP): the model sees this random fraction of each signal's samples and is
    /// scored on all of them (absent or 1: every sample is observed).
    public var contextFraction: Float?
    /// Training signals held out as the validation split (a seeded choice; absent or 0: none). Runs
    /// with one evaluate on it instead of the test set, so settings are chosen without the test data.
    public var validation: Int?
    /// Audio: "peak" scales every clip to peak 1 before training and scoring (absent or "none": as recorded).
    public var normalize: String?
  }

  /// The Fourier-feature ReLU INR (NeuralFields.HypoNet `.fourier`).
  public struct INR: Codable, Equatable, Sendable {
    public var hiddenLayers: Int
    public var width: Int
    public var frequencies: Int
    public var sigma: Float

    public init(hiddenLayers: Int, width: Int, frequencies: Int, sigma: Float) {
      self.hiddenLayers = hiddenLayers
      self.width = width
      self.frequencies = frequencies
      self.sigma = sigma
    }
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
    /// Probabilistic INRs: the beta of the beta-NLL loss in [0, 1] (`Loss.gaussianNLL`; absent: 0, the
    /// plain Gaussian NLL). 1 trains the mean with the MSE gradient.
    public var nllBeta: Float?
  }

  /// View synthesis (task views): which views of each object the task uses and how rays are rendered.
  public struct Views: Codable, Equatable, Sendable {
    /// Views per object: the first V of its transforms.json (every object needs at least V).
    public var views: Int
    /// Input (support) views per object: random ones in training, the first ones in evaluation (absent: 1).
    public var support: Int?
    /// Depths per ray in [near, far] (absent: 2 and 6) and the density activation (absent: softplus).
    public var samples: Int
    public var near: Float?
    public var far: Float?
    public var density: VolumeRendering.Density?
    /// Foreground-biased ray sampling early in training: for the first `foregroundSteps` steps (absent: 0)
    /// this share of the query rays (absent: 0.5) comes from the object's pixels (not white).
    public var foregroundSteps: Int?
    public var foregroundShare: Float?

    public init(views: Int, support: Int? = nil, samples: Int, near: Float? = nil, far: Float? = nil,
                density: VolumeRendering.Density? = nil, foregroundSteps: Int? = nil, foregroundShare: Float? = nil) {
      self.views = views
      self.support = support
      self.samples = samples
      self.near = near
      self.far = far
      self.density = density
      self.foregroundSteps = foregroundSteps
      self.foregroundShare = foregroundShare
    }

    public var rendering: SceneRendering {
      let d = SceneRendering()
      return SceneRendering(near: near ?? d.near, far: far ?? d.far, samples: samples, density: density ?? d.density)
    }
  }

  public var method: String
  /// "image" (default), "audio" or "views" (novel view synthesis from support views).
  public var task: String?
  /// The view-synthesis settings (task views only).
  public var views: Views?
  public var data: DataSet
  public var inr: INR
  /// PONP-style probabilistic INR: mean and scale outputs, Gaussian NLL loss (absent: false).
  public var probabilistic: Bool?
  /// The method's settings (the section named by its registry entry).
  public var settings: MethodSettings
  public var train: Optimization

  public init(method: String, task: String? = nil, views: Views? = nil, data: DataSet, inr: INR, probabilistic: Bool? = nil,
              settings: MethodSettings, train: Optimization) {
    self.method = method
    self.task = task
    self.views = views
    self.data = data
    self.inr = inr
    self.probabilistic = probabilistic
    self.settings = settings
    self.train = train
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: ConfigKey.self)
    method = try c.decode(String.self, forKey: ConfigKey("method"))
    let entry: MethodEntry
    do {
      entry = try MethodRegistry.entry(method)
    } catch let e as ConfigError {
      throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [ConfigKey("method")], debugDescription: e.description))
    }
    task = try c.decodeIfPresent(String.self, forKey: ConfigKey("task"))
    views = try c.decodeIfPresent(Views.self, forKey: ConfigKey("views"))
    data = try c.decode(DataSet.self, forKey: ConfigKey("data"))
    inr = try c.decode(INR.self, forKey: ConfigKey("inr"))
    probabilistic = try c.decodeIfPresent(Bool.self, forKey: ConfigKey("probabilistic"))
    guard let s = try entry.decode(c) else {
      throw DecodingError.keyNotFound(ConfigKey(entry.settingsKey), DecodingError.Context(
        codingPath: [], debugDescription: "method \(method) needs its settings section '\(entry.settingsKey)'"))
    }
    settings = s
    train = try c.decode(Optimization.self, forKey: ConfigKey("train"))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: ConfigKey.self)
    try c.encode(method, forKey: ConfigKey("method"))
    try c.encodeIfPresent(task, forKey: ConfigKey("task"))
    try c.encodeIfPresent(views, forKey: ConfigKey("views"))
    try c.encode(data, forKey: ConfigKey("data"))
    try c.encode(inr, forKey: ConfigKey("inr"))
    try c.encodeIfPresent(probabilistic, forKey: ConfigKey("probabilistic"))
    try settings.encode(to: &c)
    try c.encode(train, forKey: ConfigKey("train"))
  }

  /// The task of the run (one place maps task names to tasks).
  public func makeTask() throws -> any INRTask {
    switch task ?? "image" {
    case "image":
      return ImageReconstruction(size: data.size, trainTransform: transform(test: false), testTransform: transform(test: true))
    case "audio":
      guard let rate = data.sampleRate, rate > 0 else { throw ConfigError("data.sampleRate: required (and positive) for task audio") }
      return AudioReconstruction(length: data.size, sampleRate: rate, trainPattern: data.trainMatch, testPattern: data.testMatch,
                                 normalizePeak: data.normalize == "peak")
    case "views":
      guard let views else { throw ConfigError("views: required for task views (views, samples; support, near, far, density, foregroundSteps)") }
      return ViewSynthesis(size: data.size, settings: views)
    default:
      throw ConfigError("task: expected image, audio or views, got \(task ?? "")")
    }
  }

  /// The hyponet of the run (`INRTask.hyponet`: for images and audio Fourier features and a ReLU MLP from
  /// the coordinates to the channels, plus the output bias, 0.5 for images in [0, 1]).
  public func hyponet(for task: any INRTask) -> HypoNet { task.hyponet(inr, probabilistic: probabilistic) }

  /// Whether models see only a context subset of each signal.
  public var isPartial: Bool { (data.contextFraction ?? 1) < 1 }

  /// What a method of this run is built from.
  public func context() throws -> MethodContext {
    let t = try makeTask()
    return MethodContext(task: t, hyponet: hyponet(for: t), partial: isPartial, nllBeta: train.nllBeta ?? 0)
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

  /// The bytes a training step on `task` holds at its peak, roughly and on the safe side: the batch's
  /// signals with their observation copies, and for every query sample the INR's activations and their
  /// gradients (a meta-learner's inner steps multiply these; a generous factor covers them and the encoder).
  func estimatedBytes(_ task: any INRTask) -> Int {
    let grid = task.grid.reduce(1, *), net = hyponet(for: task)
    let queries = train.pixels > 0 ? min(train.pixels, grid) : grid
    let perQuery = (net.encodedDim + 3 * net.width * net.hiddenLayers + 2 * net.outputDim) * (task.rendering?.samples ?? 1)
    return 4 * train.batch * (4 * grid * task.observedChannels + 8 * queries * perQuery)
  }

  /// Problems a run would otherwise hit late, as "key: what is expected" lines.
  public func problems() -> [String] {
    var p: [String] = []
    let audio = task == "audio"
    if audio {
      if data.size < 1 || data.size > 1 << 20 { p.append("data.size: the clip length must be in 1...\(1 << 20) samples, got \(data.size)") }
    } else if data.size < 11 || data.size > 2048 {
      p.append("data.size: must be in 11...2048 (at least the SSIM window), got \(data.size)")
    }
    if let n = data.normalize {
      if !["none", "peak"].contains(n) { p.append("data.normalize: expected none or peak, got \(n)") }
      if !audio && n != "none" { p.append("data.normalize: only for task audio") }
    }
    if data.testCount < 0 { p.append("data.testCount: must be >= 0") }
    if let f = data.contextFraction, !(f > 0 && f <= 1) { p.append("data.contextFraction: must be in (0, 1], got \(f)") }
    if let v = data.validation, v < 0 { p.append("data.validation: must be >= 0, got \(v)") }
    if task == "views" {
      p += ViewSynthesis.problems(views, data: data, probabilistic: probabilistic ?? false)
    } else if views != nil {
      p.append("views: only for task views")
    }
    p += [Limits.check("inr.hiddenLayers", inr.hiddenLayers, Limits.hiddenLayers), Limits.check("inr.width", inr.width, Limits.width),
          Limits.check("inr.frequencies", inr.frequencies, Limits.frequencies), Limits.checkPositive("inr.sigma", inr.sigma)].compactMap { $0 }
    guard p.isEmpty else { return p }  // the method's checks build the task and its grid at these sizes
    do {
      p += try MethodRegistry.entry(method).problems(settings, try context())
    } catch {
      p.append("\(error)")
    }
    let t = train
    p += [Limits.check("train.steps", t.steps, Limits.steps), Limits.check("train.batch", t.batch, Limits.signalBatch),
          Limits.checkPositive("train.learningRate", t.learningRate),
          Limits.check("train.checkpointEvery", t.checkpointEvery, Limits.checkpointEvery)].compactMap { $0 }
    if let b = t.nllBeta {
      if !(b >= 0 && b <= 1) { p.append("train.nllBeta: must be in [0, 1], got \(b)") }
      if !(probabilistic ?? false) { p.append("train.nllBeta: only for a probabilistic INR (probabilistic: true)") }
    }
    if !["cosine", "constant"].contains(t.schedule) { p.append("train.schedule: expected cosine or constant, got \(t.schedule)") }
    if t.pixels < 0 || t.warmup < 0 || t.logEvery < 1 || t.evalEvery < 0 {
      p.append("train: pixels, warmup and evalEvery must be >= 0 and logEvery >= 1")
    }
    if p.isEmpty, let t = try? makeTask(), let m = Limits.checkMemory(estimatedBytes(t), for: "training \(train.batch) signals of \(data.size) per step",
                                             advice: "lower train.batch, train.pixels or data.size") {
      p.append(m)
    }
    return p
  }
}

extension TrainingConfig {
  /// The training signals and the validation split carved from them (`data.validation` held out).
  public func trainingSplits(_ task: any INRTask) throws -> (train: any SignalSet, validation: (any SignalSet)?) {
    let all = try task.open(data.train, test: false)
    if let named = try task.validationSet(data.train) { return (all, named) }
    guard let v = data.validation, v > 0 else { return (all, nil) }
    guard v < all.count else { throw ConfigError("data.validation: \(v) held out of \(all.count) training signals leaves none to train on") }
    let (kept, held) = SignalSubset.split(all, holdingOut: v, seed: train.seed ^ 0x7A11D)
    return (kept, held)
  }

  /// The fixed evaluation signals [N, grid..., C]: the first `data.testCount` (or `count`) of a seeded
  /// shuffle of the test set (or of `path`, or of the validation split), in shuffled order.
  public func testSignals(_ task: any INRTask, from path: String? = nil, count: Int? = nil, validation: Bool = false) throws -> Tensor {
    let set: any SignalSet
    if validation {
      guard let v = try trainingSplits(task).validation else { throw ConfigError("data.validation: the run has no validation split") }
      set = v
    } else {
      set = try task.open(path ?? data.test, test: true)
    }
    var rng = RandomGenerator(seed: train.seed ^ 0x7E57)
    let n = set.count, k = count ?? data.testCount
    let order = Array(rng.permutation(n).prefix(k > 0 ? min(k, n) : n))
    return try set.batch(order, seed: train.seed)
  }
}
