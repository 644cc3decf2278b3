import ArgumentParser
import Foundation
import HyperTensor
import NeuralFields
import Signals

struct MakeViews: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-views",
    abstract: "Render a whole category of objects for view synthesis, in LearnIt's ShapeNet layout.",
    discussion: """
      Categories chairs, tables and lamps are assembled from boxes, cylinders, cones and spheres with seeded \
      random proportions and parts; category meshes renders the .obj/.ply files of --meshes, each instance in \
      a random pose. Every object gets random colours and --views cameras (see render-views). Writes \
      <output>/<category>/<id>/{r_NNN.png, transforms.json} and <output>/<singular>_splits.json with train, val \
      (--val) and test (--test) ids. The output folder must not exist; nothing is left behind on failure.
      """)

  enum Category: String, ExpressibleByArgument, CaseIterable {
    case chairs, tables, lamps, meshes

    /// The procedural category (nil for real meshes).
    var procedural: ProceduralShape.Category? { ProceduralShape.Category(rawValue: rawValue) }
  }

  @Option(help: "chairs, tables, lamps or meshes.")
  var category: Category
  @Option(help: "Number of objects.")
  var count = 100
  @Option(name: .shortAndLong, help: "Output folder (must not exist yet).")
  var output: String
  @Option(help: "Folder of .obj/.ply meshes (category meshes).")
  var meshes: String?
  @Option(help: "Share of the objects held out for validation.")
  var val = 0.1
  @Option(help: "Share of the objects held out for testing.")
  var test = 0.1
  @OptionGroup var view: ViewOptions

  func validate() throws {
    try Limits.require(Limits.check("--count", count, 1...100_000))
    guard val.isFinite, test.isFinite, val >= 0, test >= 0, val + test < 1 else {
      throw ValidationError("--val and --test must be shares >= 0 that sum to less than 1, got \(val) and \(test)")
    }
    if (category == .meshes) != (meshes != nil) { throw ValidationError("--meshes FOLDER goes with --category meshes, and only with it") }
  }

  func run() throws {
    try Console.reportingErrors {
      let out = URL(fileURLWithPath: output)
      try OutputPath.checkFolder(out)
      try StagedFolder.requireNew(out)
      var dataset = view.dataset
      (dataset.validationShare, dataset.testShare) = (val, test)
      let start = Date()
      let progress = { (done: Int) in
        guard done % 10 == 0 || done == count else { return }
        let s = Date().timeIntervalSince(start)
        Console.note(String(format: "%d/%d objects, %.0f s, ETA %.0f s", done, count, s, s / Double(done) * Double(count - done)))
      }
      if let folder = meshes {
        let files = try Self.meshFiles(URL(fileURLWithPath: folder))
        let loaded = try files.map { ($0.deletingPathExtension().lastPathComponent, try Mesh.load($0)) }
        try dataset.write(category: "meshes", singular: "mesh", count: count, seed: view.seed, to: out,
                          name: { "\(loaded[$0 % loaded.count].0)_\(String(format: "%04d", $0))" },
                          mesh: { i, rng in ProceduralShape.randomlyRotated(loaded[i % loaded.count].1.normalized(extent: 1), rng: &rng) },
                          progress: progress)
      } else if let c = category.procedural {
        try dataset.write(category: c.rawValue, singular: c.singular, count: count, seed: view.seed, to: out,
                          name: { "\(c.singular)_\(String(format: "%04d", $0))" }, mesh: { _, rng in ProceduralShape.make(c, rng: &rng) },
                          progress: progress)
      }
      Console.note("wrote \(out.path): \(count) \(category.rawValue) of \(view.views) views")
    }
  }

  /// The .obj and .ply files of a folder, sorted (at least one).
  static func meshFiles(_ folder: URL) throws -> [URL] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
      throw SignalError(folder.path, "is not a readable folder of meshes")
    }
    let files = names.sorted().filter { ["obj", "ply"].contains(($0 as NSString).pathExtension.lowercased()) }.map { folder.appendingPathComponent($0) }
    guard !files.isEmpty else { throw SignalError(folder.path, "holds no .obj or .ply mesh") }
    return files
  }
}
