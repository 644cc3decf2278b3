import Foundation
import HyperTensor
import NeuralFields
import Signals

/// Novel view synthesis (Trans-INR Sec. 4.2, LearnIt, IPC): from `support` views of an object, a NeRF
/// (`HypoNet` kind nerf, 3-D points to colour logits and a density) that renders its other views. A signal
/// is an object's first V views with their rays, [V, S, S, 9] (`ViewObjectSet`); a model observes its
/// support views as ray tokens — [k S, S, 9] images of colour, ray origin and direction, patched, with no
/// position embedding — and is queried at rays [B, N, 6] of the other views, volume-rendered at the
/// settings' depths (`Objective.predict`). In training the support views are a random choice per object
/// and step, and the query rays random pixels of the other views (early on biased towards the object);
/// in evaluation the support views are the first k, and every other view is rendered and scored.
public struct ViewSynthesis: INRTask {
  public let size: Int
  public let settings: TrainingConfig.Views

  public init(size: Int, settings: TrainingConfig.Views) {
    self.size = size
    self.settings = settings
  }

  public var views: Int { settings.views }
  public var support: Int { settings.support ?? 1 }
  public var grid: [Int] { [views, size, size] }
  public var channels: Int { 3 }
  public var outputBias: Float { 0 }
  public var range: Float { 1 }
  public var info: FieldSignal.Info { FieldSignal.Info(kind: .image, size: [size, size], channels: 3, sampleRate: 0) }
  public var rendering: SceneRendering? { settings.rendering }
  public var observedGrid: [Int] { [support * size, size] }
  public var observedChannels: Int { ViewObjectSet.channels }
  public var tokenPositions: Bool { false }

  /// The config's problems with task views, as "key: expected" lines.
  static func problems(_ v: TrainingConfig.Views?, data: TrainingConfig.DataSet, probabilistic: Bool) -> [String] {
    guard let v else { return ["views: required for task views (views, samples; support, near, far, density, foregroundSteps, foregroundShare)"] }
    var p = [Limits.check("views.views", v.views, 2...MultiViewScene.frameLimit), Limits.check("views.support", v.support ?? 1, 1...max(1, v.views - 1)),
             Limits.check("views.foregroundSteps", v.foregroundSteps ?? 0, 0...Limits.steps.upperBound)].compactMap { $0 }
    p += v.rendering.problems(prefix: "views.")
    if let s = v.foregroundShare, !(s >= 0 && s <= 1) { p.append("views.foregroundShare: must be in [0, 1], got \(s)") }
    if data.contextFraction != nil { p.append("data.contextFraction: not for task views (the support views are the observation)") }
    if data.validation != nil { p.append("data.validation: not for task views (the validation objects are the splits file's 'val' ids)") }
    if probabilistic { p.append("probabilistic: not for task views") }
    return p
  }

  public func hyponet(_ inr: TrainingConfig.INR, probabilistic: Bool?) -> HypoNet {
    HypoNet(kind: .nerf, inputDim: 3, outputDim: 4, hiddenLayers: inr.hiddenLayers, width: inr.width,
            frequencies: inr.frequencies, sigma: inr.sigma)
  }

  /// `path` is a category folder of a LearnIt-layout data set (root/chairs, beside root/chair_splits.json).
  private func folder(_ path: String, split: String, allowEmpty: Bool = false) throws -> LearnItFolder {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    return try LearnItFolder(root: url.deletingLastPathComponent(), category: url.lastPathComponent, split: split, allowEmpty: allowEmpty)
  }

  public func open(_ path: String, test: Bool) throws -> any SignalSet {
    ViewObjectSet(try folder(path, split: test ? "test" : "train"), views: views, size: size)
  }

  public func validationSet(_ path: String) throws -> (any SignalSet)? {
    let f = try folder(path, split: "val", allowEmpty: true)
    return f.objects.isEmpty ? nil : ViewObjectSet(f, views: views, size: size)
  }

  /// One object folder (transforms.json and its views) as [V, S, S, 9].
  public func load(_ url: URL, seed: UInt64) throws -> Tensor {
    try ViewObjectSet.item(MultiViewScene.load(url, background: 1), path: url.path, views: views, size: size)
  }

  /// The views `chosen[i]` of each object i of `signals` [B, V', S, S, 9] (any number of views V'): the ray
  /// images [B, k S, S, 9] and their rays [B, k S S, 6] and colours [B, k S S, 3].
  public func observations(of signals: Tensor, views chosen: [[Int]]) -> Observations {
    let b = signals.shape[0], v = signals.shape[1], k = chosen[0].count, n = size * size
    let perView = signals.reshaped([b * v, size, size, ViewObjectSet.channels])
    let picked = perView.gather(axis: 0, indices: chosen.enumerated().flatMap { i, c in c.map { i * v + $0 } })
    let pixels = picked.reshaped([b, k * n, ViewObjectSet.channels])
    return Observations(signals: picked.reshaped([b, k * size, size, ViewObjectSet.channels]),
                        coords: pixels.slice(axis: 2, 3, 9), targets: pixels.slice(axis: 2, 0, 3))
  }

  /// The first `support` views of each object.
  public func observations(of signals: Tensor) -> Observations {
    observations(of: signals, views: Array(repeating: Array(0..<support), count: signals.shape[0]))
  }

  /// The support views are the whole observation: a context fraction does not apply (the config refuses it).
  public func observations(of signals: Tensor, contextFraction fraction: Float, rng: inout RandomGenerator) -> Observations {
    observations(of: signals)
  }

  /// Per object: `support` random views, and `pixels` random rays of the other views (all of them with
  /// `pixels` 0); before step `foregroundSteps` a `foregroundShare` of the rays is drawn from pixels that
  /// are not white (the object), when the views have any.
  public func trainingBatch(_ signals: Tensor, pixels: Int, contextFraction: Float?, step: Int, rng: inout RandomGenerator) -> TrainingBatch {
    let b = signals.shape[0], n = size * size, c = ViewObjectSet.channels
    var chosen: [[Int]] = [], rays: [Int] = []
    let biased = step < (settings.foregroundSteps ?? 0), all = biased ? signals.scalars : []
    let share = settings.foregroundShare ?? 0.5
    let count = pixels > 0 ? pixels : (views - support) * n
    for i in 0..<b {
      let order = rng.permutation(views)
      chosen.append(Array(order.prefix(support)))
      let others = Array(order.dropFirst(support))
      // Pixel p of the query views (row-major over others x pixels) is pixel p % n of view others[p / n].
      let global = { (p: Int) in (i * views + others[p / n]) * n + p % n }
      let foreground = biased ? (0..<(others.count * n)).filter { p in
        let o = global(p) * c
        return all[o] < 0.99 || all[o + 1] < 0.99 || all[o + 2] < 0.99
      } : []
      for r in 0..<count {
        if pixels == 0 {
          rays.append(global(r))
        } else if !foreground.isEmpty && Float(r) < share * Float(count) {
          rays.append(global(foreground[rng.nextInt(below: foreground.count)]))
        } else {
          rays.append(global(rng.nextInt(below: others.count * n)))
        }
      }
    }
    let queries = signals.reshaped([b * views * n, c]).gather(axis: 0, indices: rays).reshaped([b, count, c])
    return TrainingBatch(observations: observations(of: signals, views: chosen), queryCoords: queries.slice(axis: 2, 3, 9),
                         queryTargets: queries.slice(axis: 2, 0, 3))
  }

  /// Every ray of every view, [B, V S S, 6].
  public func queries(of signals: Tensor) -> Tensor {
    signals.reshaped([signals.shape[0], views * size * size, ViewObjectSet.channels]).slice(axis: 2, 3, 9)
  }

  /// PSNR and SSIM of the 8-bit rendered query views (all but the first `support`) against the true
  /// ones, averaged over those views per object; reconstructions are [B, V, S, S, 3].
  public func scores(_ reconstructions: Tensor, _ signals: Tensor) -> [SignalScore] {
    let r = Metrics.quantized8(reconstructions)
    return (0..<signals.shape[0]).map { i in
      var psnr = 0.0, ssim = 0.0
      for v in support..<views {
        let a = r.slice(axis: 0, i, i + 1).slice(axis: 1, v, v + 1).reshaped([size, size, 3])
        let t = signals.slice(axis: 0, i, i + 1).slice(axis: 1, v, v + 1).reshaped([size, size, ViewObjectSet.channels]).slice(axis: 2, 0, 3)
        psnr += Metrics.psnr(a, t)
        ssim += Metrics.ssim(a, t)
      }
      let q = Double(views - support)
      return SignalScore(psnr: psnr / q, ssim: ssim / q)
    }
  }
}
