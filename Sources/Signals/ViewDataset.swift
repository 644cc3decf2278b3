import Foundation
import HyperTensor

/// A category of objects rendered for view synthesis, in LearnIt's ShapeNet layout: `root/<category>/<id>/`
/// (one `MultiViewScene` per object) and `root/<singular>_splits.json` ({"train": [ids], "val": [...],
/// "test": [...]}). Object i draws its mesh, colours and cameras from its own generator (seed and i), so an
/// object does not change with the count; the split is a seeded permutation of the ids.
public struct ViewDataset {
  public var views = 25, size = 64, samples = 2
  public var radius: Float = 4, angleX: Float = 0.6911
  /// Shares of the objects held out for validation and test.
  public var validationShare = 0.1, testShare = 0.1

  public init() {}

  /// Object i's generator.
  public static func generator(seed: UInt64, object i: Int) -> RandomGenerator {
    RandomGenerator(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
  }

  /// The views of one mesh (centred and scaled so that its longest side spans [-1, 1]): colours drawn
  /// first, then the cameras on the sphere of `radius`, from `rng`.
  public func scene(of mesh: Mesh, rng: inout RandomGenerator) -> MultiViewScene {
    var renderer = ViewRenderer(mesh: mesh.normalized(extent: 1), albedo: .random(rng: &rng))
    renderer.samples = samples
    let cameras = PinholeCamera.orbit(count: views, radius: radius, width: size, height: size, angleX: angleX, rng: &rng)
    return MultiViewScene(cameras: cameras, views: cameras.map(renderer.render))
  }

  /// The split of `ids`: test first, then validation, from a permutation drawn with `seed`.
  public func split(_ ids: [String], seed: UInt64) -> [String: [String]] {
    var rng = RandomGenerator(seed: seed ^ 0x5EED_5911)
    let order = rng.permutation(ids.count).map { ids[$0] }
    let nTest = Int((Double(ids.count) * testShare).rounded()), nVal = Int((Double(ids.count) * validationShare).rounded())
    return ["test": Array(order.prefix(nTest)), "val": Array(order.dropFirst(nTest).prefix(nVal)),
            "train": Array(order.dropFirst(nTest + nVal))]
  }

  /// Renders `count` objects named `name(i)`, object i's mesh from `mesh(i, &rng)` (its views by
  /// `scene(of:rng:)`), into `root` (a new `StagedFolder`).
  /// `progress(done)` is called after each object.
  public func write(category: String, singular: String, count: Int, seed: UInt64, to root: URL,
                    name: (Int) -> String, mesh: (Int, inout RandomGenerator) throws -> Mesh,
                    progress: (Int) -> Void = { _ in }) throws {
    try StagedFolder.create(root) { staging in
      let folder = staging.appendingPathComponent(category)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
      var ids: [String] = []
      for i in 0..<count {
        var rng = Self.generator(seed: seed, object: i)
        let id = name(i)
        try scene(of: try mesh(i, &rng), rng: &rng).write(to: folder.appendingPathComponent(id))
        ids.append(id)
        progress(i + 1)
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(split(ids, seed: seed)).write(to: staging.appendingPathComponent("\(singular)_splits.json"))
    }
  }
}
