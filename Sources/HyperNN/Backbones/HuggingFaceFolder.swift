import Foundation
import HyperTensor

/// A Hugging Face model folder, as `save_pretrained` writes it: `config.json` (sizes, in the transformers
/// package's key names) and `model.safetensors` (weights under the package's parameter names). Both are
/// untrusted: every problem is one error naming the file and the key.
public enum HuggingFaceFolder {
  /// Decodes `folder/config.json` as `T` and rejects it when `problems` finds any.
  public static func config<T: Decodable>(_ type: T.Type, in folder: URL, problems: (T) -> [String]) throws -> T {
    let url = folder.appendingPathComponent("config.json")
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw CheckpointError(description: "\(url.path): cannot be read") }
    guard data.count <= 1 << 20 else { throw CheckpointError(description: "\(url.path): \(data.count) bytes, more than a config.json can be (1 MiB)") }
    let c: T
    do { c = try JSONDecoder().decode(T.self, from: data) } catch let DecodingError.keyNotFound(key, _) {
      throw CheckpointError(description: "\(url.path): missing key '\(key.stringValue)'")
    } catch let DecodingError.typeMismatch(_, ctx) {
      throw CheckpointError(description: "\(url.path): '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
    } catch {
      throw CheckpointError(description: "\(url.path): not a JSON model configuration")
    }
    if let p = problems(c).first { throw CheckpointError(description: "\(url.path): \(p)") }
    return c
  }

  /// Rejects a configuration whose `parameters` cannot fit the memory budget or cannot be in
  /// `folder/model.safetensors` (fewer bytes than 2 per parameter, the narrowest float the reader takes),
  /// before a model of that size is built.
  public static func requireWeights(in folder: URL, parameters: Int, model: String) throws {
    let file = folder.appendingPathComponent("model.safetensors")
    if let p = EnvironmentSettings.memoryProblem(2 * 4 * parameters, for: "loading \(model) (\(parameters) parameters)", advice: "use a smaller model") {
      throw CheckpointError(description: "\(folder.appendingPathComponent("config.json").path): \(p)")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
    guard let size else { throw CheckpointError(description: "\(file.path): cannot be read (a folder needs config.json and model.safetensors)") }
    guard size >= 2 * parameters else {
      throw CheckpointError(description: "\(file.path): holds \(size) bytes, too few for the \(parameters) parameters config.json describes")
    }
  }

  /// Assigns `module`'s parameters from `folder/model.safetensors`: parameter `name` takes the file's
  /// tensors `table[name]`, concatenated along their first axis when there are several (separate q, k, v
  /// projections into one packed layer). Every missing, mis-shaped or unexpected tensor is named in one
  /// error (the first few of each kind, with their counts); keys for which `ignored` holds (buffers, heads
  /// the module does not have) are skipped.
  public static func loadWeights(into module: Module, from folder: URL, table: [String: [String]], ignored: (String) -> Bool,
                                 model: String) throws {
    let file = folder.appendingPathComponent("model.safetensors")
    let stored = try SafeTensors.read(file).dictionary
    let known = Set(table.values.joined())
    let unexpected = stored.keys.sorted().filter { !known.contains($0) && !ignored($0) }
    var missing: [String] = [], misshapen: [String] = [], renamed: [String: Tensor] = [:]
    for (ours, p) in module.namedParameters() {
      let theirs = table[ours]!
      let expected = [p.shape[0] / theirs.count] + p.shape.dropFirst()
      let parts = theirs.compactMap { key -> Tensor? in
        guard let t = stored[key] else { missing.append(key); return nil }
        guard t.shape == expected else { misshapen.append("'\(key)' has shape \(t.shape), config.json implies \(expected)"); return nil }
        return t
      }
      if parts.count == theirs.count { renamed[ours] = parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0) }
    }
    func list(_ xs: [String], _ what: String) -> String? {
      xs.isEmpty ? nil : "\(xs.count) \(what): " + xs.prefix(4).joined(separator: ", ") + (xs.count > 4 ? ", ..." : "")
    }
    let problems = [list(missing.map { "'\($0)'" }, "missing tensor(s)"), list(misshapen, "mis-shaped tensor(s)"),
                    list(unexpected.map { "'\($0)'" }, "unexpected tensor(s)")].compactMap { $0 }
    if !problems.isEmpty { throw CheckpointError(description: "\(file.path) for \(model): " + problems.joined(separator: "; ")) }
    try module.load(renamed, source: file.path)
  }
}
