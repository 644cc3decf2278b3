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

  /// Assigns `module`'s parameters from `folder/model.safetensors`: parameter `name` takes the file's
  /// tensors `table[name]`, concatenated along their first axis when there are several (separate q, k, v
  /// projections into one packed layer). A missing, mis-shaped or unexpected tensor is an error naming it;
  /// keys for which `ignored` holds (buffers, heads the module does not have) are skipped.
  public static func loadWeights(into module: Module, from folder: URL, table: [String: [String]], ignored: (String) -> Bool,
                                 model: String) throws {
    let file = folder.appendingPathComponent("model.safetensors")
    let stored = try SafeTensors.read(file).dictionary
    let known = Set(table.values.joined())
    if let extra = stored.keys.sorted().first(where: { !known.contains($0) && !ignored($0) }) {
      throw CheckpointError(description: "\(file.path): unexpected tensor '\(extra)' for \(model)")
    }
    var renamed: [String: Tensor] = [:]
    for (ours, p) in module.namedParameters() {
      let theirs = table[ours]!
      let parts = try theirs.map { key -> Tensor in
        guard let t = stored[key] else { throw CheckpointError(description: "\(file.path): missing tensor '\(key)'") }
        let expected = [p.shape[0] / theirs.count] + p.shape.dropFirst()
        guard t.shape == expected else {
          throw CheckpointError(description: "\(file.path): tensor '\(key)' has shape \(t.shape), config.json implies \(expected)")
        }
        return t
      }
      renamed[ours] = parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0)
    }
    try module.load(renamed, source: file.path)
  }
}
