import Foundation
import HyperNN
import HyperTensor
import Hypernetworks
import NeuralFields
import Signals
import XCTest

/// The view-synthesis task: ray pixels, support and query choice, foreground bias, and rendering through
/// the objective.
final class ViewSynthesisTests: XCTestCase {
  /// Two objects of 5 rendered 12 x 12 views each, as the task's signals [2, 5, 12, 12, 9].
  private func objects() -> (ViewSynthesis, Tensor, [[PinholeCamera]]) {
    var data = ViewDataset()
    (data.views, data.size, data.samples) = (5, 12, 1)
    var rng = RandomGenerator(seed: 4)
    let scenes = (0..<2).map { _ in data.scene(of: ProceduralShape.make(.chairs, rng: &rng), rng: &rng) }
    let signals = Tensor.stack(scenes.map { s in
      Tensor.stack(zip(s.views, s.cameras).map { ViewObjectSet.rayPixels($0.compositing(background: 1), $1) }, axis: 0)
    }, axis: 0)
    let task = ViewSynthesis(size: 12, settings: TrainingConfig.Views(views: 5, support: 2, samples: 6, foregroundSteps: 10, foregroundShare: 0.75))
    return (task, signals, scenes.map(\.cameras))
  }

  func testRayPixelsHoldColourOriginAndDirection() {
    let (_, signals, cameras) = objects()
    let c = cameras[1][3], pixel = signals.slice(axis: 0, 1, 2).slice(axis: 1, 3, 4).reshaped([144, 9]).slice(axis: 0, 13, 14).scalars
    let ray = c.ray(x: 1.5, y: 1.5)  // pixel 13 = row 1, column 1
    for (a, b) in zip(Array(pixel[3..<9]), [ray.origin.x, ray.origin.y, ray.origin.z, ray.direction.x, ray.direction.y, ray.direction.z]) {
      XCTAssertEqual(a, b, accuracy: 1e-5)
    }
  }

  /// Training batches observe `support` views and query only rays of the other views (their origins are
  /// other cameras'), with the foreground share before `foregroundSteps` and uniform rays after.
  func testTrainingBatchesQueryOnlyOtherViewsWithTheForegroundBias() {
    let (task, signals, cameras) = objects()
    var rng = RandomGenerator(seed: 1)
    func share(_ b: TrainingBatch) -> Double {
      let y = b.queryTargets.scalars
      let foreground = stride(from: 0, to: y.count, by: 3).filter { (i: Int) -> Bool in min(y[i], y[i + 1], y[i + 2]) < 0.99 }
      return Double(foreground.count) / Double(y.count / 3)
    }
    var early = 0.0, late = 0.0
    for step in [0, 100] {
      let b = task.trainingBatch(signals, pixels: 400, contextFraction: nil, step: step, rng: &rng)
      XCTAssertEqual(b.observations.signals.shape, [2, 24, 12, 9])
      XCTAssertEqual(b.queryCoords.shape, [2, 400, 6])
      XCTAssertEqual(b.queryTargets.shape, [2, 400, 3])
      for i in 0..<2 {
        // The support cameras are the two whose origin the observed rays carry.
        let obs = b.observations.coords.slice(axis: 0, i, i + 1).reshaped([288, 6]).scalars
        func near(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Bool { ((a - b) * (a - b)).sum() < 1e-9 }
        let supportOrigins = [0, 144].map { (p: Int) in SIMD3<Float>(obs[6 * p], obs[6 * p + 1], obs[6 * p + 2]) }
        let support = cameras[i].indices.filter { (v: Int) in supportOrigins.contains { near($0, cameras[i][v].position) } }
        XCTAssertEqual(support.count, 2)
        let q = b.queryCoords.slice(axis: 0, i, i + 1).reshaped([400, 6]).scalars
        for r in 0..<400 {
          let o = SIMD3<Float>(q[6 * r], q[6 * r + 1], q[6 * r + 2])
          XCTAssertFalse(support.contains { near(o, cameras[i][$0].position) }, "query ray \(r) of object \(i) comes from a support view")
        }
      }
      if step == 0 { early = share(b) } else { late = share(b) }
    }
    XCTAssertGreaterThanOrEqual(early, 0.75)
    XCTAssertLessThan(late, early - 0.2, "uniform rays after the biased steps (\(late) against \(early))")
    // Evaluation observes the first two views.
    let obs = task.observations(of: signals)
    XCTAssertEqual(obs.signals.scalars, signals.slice(axis: 1, 0, 2).reshaped([2, 24, 12, 9]).scalars)
  }

  /// The objective renders query rays of per-instance weights as `SceneRendering` renders each instance's
  /// field alone, and its loss has finite-difference gradients in the weights.
  func testObjectivePredictionsAreVolumeRenderings() throws {
    let (task, signals, _) = objects()
    let net = task.hyponet(TrainingConfig.INR(hiddenLayers: 2, width: 8, frequencies: 3, sigma: 4), probabilistic: nil)
    var rng = RandomGenerator(seed: 9)
    let pair = (0..<2).map { _ in net.initialWeights(rng: &rng) }
    let w = INRWeights(pair[0].layers.indices.map { k in
      LayerWeights(weight: Tensor.stack(pair.map { $0.layers[k].weight }, axis: 0), bias: Tensor.stack(pair.map { $0.layers[k].bias }, axis: 0))
    })
    let objective = Objective(hyponet: net, rendering: task.rendering)
    let queries = task.queries(of: signals).slice(axis: 1, 0, 50)
    let predicted = objective.predict(queries, w)
    XCTAssertEqual(predicted.shape, [2, 50, 3])
    let r = task.settings.rendering
    for i in 0..<2 {
      let q = queries.slice(axis: 0, i, i + 1).reshaped([50, 6])
      let alone = r.render(net, w.instance(i), origins: q.slice(axis: 1, 0, 3), directions: q.slice(axis: 1, 3, 6),
                           depths: VolumeRendering.depths(rays: 50, samples: r.samples, near: r.near, far: r.far)).rgb
      XCTAssertEqual(predicted.slice(axis: 0, i, i + 1).reshaped([50, 3]).scalars, alone.scalars)
    }
  }
}
