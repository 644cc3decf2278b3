import Foundation

/// One split of a category in LearnIt's ShapeNet layout (`root/<category>/<id>/transforms.json` and
/// `root/<singular>_splits.json`, e.g. learnit_shapenet/chairs and chair_splits.json, or meshes and
/// mesh_splits.json), as `ViewDataset` writes it too. Objects whose transforms.json is missing or unusable,
/// or that lack a view's PNG, are skipped with a warning (as the LearnIt loaders skip missing objects);
/// views load composited on white.
public struct LearnItFolder: Sendable {
  public let root: URL
  public let category: String
  /// The object folders of the split that have everything, in the split file's order.
  public let objects: [URL]
  /// One line per skipped object.
  public let warnings: [String]

  /// Opens `split` ("train", "val" or "test") of `category` (plural, as the folder: chairs, cars, lamps);
  /// with `allowEmpty` a split that lists no ids opens with no objects.
  public init(root: URL, category: String, split: String, allowEmpty: Bool = false) throws {
    self.root = root
    self.category = category
    // chairs -> chair_splits.json, meshes -> mesh_splits.json: the first singular whose file exists.
    let singulars = [category.hasSuffix("s") ? String(category.dropLast()) : category]
      + (category.hasSuffix("es") ? [String(category.dropLast(2))] : [])
    let candidates = singulars.map { root.appendingPathComponent("\($0)_splits.json") }
    let splitsURL = candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    let json = try? JSONSerialization.jsonObject(with: try FileContents.read(splitsURL))
    guard let splits = json as? [String: Any] else { throw SignalError(splitsURL.path, "is not a JSON object of split names to object ids") }
    guard let ids = splits[split] as? [String] else {
      throw SignalError(splitsURL.path, "has no list of object ids named '\(split)' (it has: \(splits.keys.sorted().joined(separator: ", ")))")
    }
    var objects: [URL] = [], warnings: [String] = []
    for id in ids {
      guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else { throw SignalError(splitsURL.path, "object id '\(id)' is not a folder name") }
      let folder = root.appendingPathComponent(category).appendingPathComponent(id)
      do {
        let missing = try MultiViewScene.index(folder).frames.filter { !FileManager.default.fileExists(atPath: $0.image.path) }
        if let first = missing.first { throw SignalError(first.image.path, "is missing (\(missing.count) of the views are)") }
        objects.append(folder)
      } catch {
        warnings.append("skipped object \(id): \(error)")
      }
    }
    guard !objects.isEmpty || (allowEmpty && ids.isEmpty) else {
      throw SignalError(root.appendingPathComponent(category).path, "has no usable object of split '\(split)' (\(ids.count) listed\(warnings.first.map { "; first problem: \($0)" } ?? ""))")
    }
    self.objects = objects
    self.warnings = warnings
  }

  /// Object i's views (RGB on white) and cameras.
  public func scene(_ i: Int) throws -> MultiViewScene { try MultiViewScene.load(objects[i], background: 1) }
}
