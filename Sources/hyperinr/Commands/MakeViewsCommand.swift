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
      (--val) and test (--test) ids. --config FILE takes these settings from a YAML file under the options' \
      names (category, count, meshes, val, test, views, size, seed, radius, fov, samples; see \
      configs/views-chairs.yaml; its meshes folder is relative to the file); --set KEY=VALUE changes one of \
      them, and options given on the command line override both. The output folder must not exist; nothing \
      is left behind on failure.
      """)

  enum Category: String, ExpressibleByArgument, CaseIterable {
    case chairs, tables, lamps, meshes

    /// The procedural category (nil for real meshes).
    var procedural: ProceduralShape.Category? { ProceduralShape.Category(rawValue: rawValue) }
  }

  @Option(help: ArgumentHelp("Data-set configuration (YAML) whose settings the other options override.", valueName: "file"))
  var config: String?
  @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting of --config, e.g. --set count=50 (repeatable).", valueName: "key=value"))
  var overrides: [String] = []
  @Option(help: "The category; required here or in --config.")
  var category: Category?
  @Option(help: "Number of objects (default 100).")
  var count: Int?
  @Option(name: .shortAndLong, help: "Output folder (must not exist yet).")
  var output: String
  @Option(help: "Folder of .obj/.ply meshes (category meshes).")
  var meshes: String?
  @Option(help: "Share of the objects held out for validation (default 0.1).")
  var val: Double?
  @Option(help: "Share of the objects held out for testing (default 0.1).")
  var test: Double?
  @OptionGroup var view: ViewOptions

  func validate() throws {
    if config == nil && !overrides.isEmpty { throw ValidationError("--set changes a setting of --config FILE; give the file too") }
    if config == nil { _ = try settings(file: nil) }
  }

  /// The settings of the command line over those of --config over the defaults.
  struct Settings {
    var category: Category
    var count: Int
    var meshes: String?
    var val: Double, test: Double
    var dataset: ViewDataset
    var seed: UInt64
  }

  /// The settings over `file`'s, checked; problems are argument errors naming the option.
  func settings(file: MakeViewsConfig?) throws -> Settings {
    guard let category = try category ?? file?.category.map({ c in
      guard let v = Category(rawValue: c) else {
        throw ValidationError("'category' must be one of \(Category.allCases.map(\.rawValue).joined(separator: ", ")), got '\(c)'")
      }
      return v
    }) else {
      throw ValidationError("--category is required (chairs, tables, lamps or meshes), on the command line or in --config")
    }
    let s = Settings(category: category, count: count ?? file?.count ?? 100, meshes: meshes ?? file?.meshes,
                     val: val ?? file?.val ?? 0.1, test: test ?? file?.test ?? 0.1,
                     dataset: view.dataset(over: file?.dataset ?? ViewDataset()), seed: view.seed(over: file?.seed))
    try Limits.require(Limits.check("--count", s.count, 1...100_000))
    guard s.val.isFinite, s.test.isFinite, s.val >= 0, s.test >= 0, s.val + s.test < 1 else {
      throw ValidationError("--val and --test must be shares >= 0 that sum to less than 1, got \(s.val) and \(s.test)")
    }
    if (s.category == .meshes) != (s.meshes != nil) { throw ValidationError("--meshes FOLDER goes with --category meshes, and only with it") }
    try ViewOptions.check(s.dataset)
    return s
  }

  /// The settings with --config's: a problem is one error line naming the file (its values, or the
  /// options laid over them).
  func settings() throws -> Settings {
    guard let path = config else { return try settings(file: nil) }
    let file = try MakeViewsConfig.load(path, overrides: overrides)
    do { return try settings(file: file) } catch let e as ValidationError { throw SignalError(path, e.message) }
  }

  func run() throws {
    try Console.reportingErrors {
      let s = try settings(), count = s.count
      let out = URL(fileURLWithPath: output)
      try OutputPath.checkFolder(out)
      try StagedFolder.requireNew(out)
      var dataset = s.dataset
      (dataset.validationShare, dataset.testShare) = (s.val, s.test)
      let start = Date()
      let progress = { (done: Int) in
        guard done % 10 == 0 || done == count else { return }
        let t = Date().timeIntervalSince(start)
        Console.note(String(format: "%d/%d objects, %.0f s, ETA %.0f s", done, count, t, t / Double(done) * Double(count - done)))
      }
      if let folder = s.meshes {
        let files = try Self.meshFiles(URL(fileURLWithPath: folder))
        let loaded = try files.map { ($0.deletingPathExtension().lastPathComponent, try Mesh.load($0)) }
        try dataset.write(category: "meshes", singular: "mesh", count: count, seed: s.seed, to: out,
                          name: { "\(loaded[$0 % loaded.count].0)_\(String(format: "%04d", $0))" },
                          mesh: { i, rng in ProceduralShape.randomlyRotated(loaded[i % loaded.count].1.normalized(extent: 1), rng: &rng) },
                          progress: progress)
      } else if let c = s.category.procedural {
        try dataset.write(category: c.rawValue, singular: c.singular, count: count, seed: s.seed, to: out,
                          name: { "\(c.singular)_\(String(format: "%04d", $0))" }, mesh: { _, rng in ProceduralShape.make(c, rng: &rng) },
                          progress: progress)
      }
      Console.note("wrote \(out.path): \(count) \(s.category.rawValue) of \(dataset.views) views")
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
