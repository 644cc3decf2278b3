import Foundation
import HyperNN
import HyperTensor
import XCTest

/// ViT encoders against transformers' ViTModel (Fixtures/make_tiny_vit.py).
final class ViTEncoderTests: XCTestCase {
  private struct Reference: Decodable { var pixels: [Float]; var hidden: [Float]; var largerPixels: [Float]; var largerHidden: [Float] }

  /// A 2-layer random ViT loaded from a save_pretrained folder gives transformers' last hidden states.
  func testTinyViTMatchesTransformers() throws {
    let model = try ViTEncoder.load(folder: fixtureURL("tiny_vit"))
    let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtureURL("tiny_vit_reference.json")))
    let out = GradMode.withoutGradients { model(Tensor(shape: [2, 3, 8, 8], scalars: ref.pixels)) }
    XCTAssertEqual(out.shape, [2, 5, 32])
    XCTAssertEqual(model.config.parameterCount, model.parameterCount())
    let worst = zip(out.scalars, ref.hidden).map { abs($0 - $1) }.max() ?? .infinity
    XCTAssertLessThan(worst, 1e-4, "largest difference \(worst)")
    // A 12 x 16 image (a 3 x 4 grid instead of 2 x 2): position embeddings resized as transformers'
    // interpolate_pos_encoding does.
    let larger = GradMode.withoutGradients { model(Tensor(shape: [1, 3, 12, 16], scalars: ref.largerPixels)) }
    XCTAssertEqual(larger.shape, [1, 13, 32])
    let worstLarger = zip(larger.scalars, ref.largerHidden).map { abs($0 - $1) }.max() ?? .infinity
    XCTAssertLessThan(worstLarger, 1e-4, "interpolated positions: largest difference \(worstLarger)")
  }

  /// A ViT folder whose q, k or v projection is missing or mis-shaped, or whose config is of another family:
  /// one error naming the key or the file.
  func testBadFoldersNameTheKey() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vit-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let weights = try SafeTensors.read(fixtureURL("tiny_vit/model.safetensors")).tensors
    let config = try String(contentsOf: fixtureURL("tiny_vit/config.json"), encoding: .utf8)
    let key = "encoder.layer.1.attention.attention.value.weight"
    for (name, c, edit, parts) in [
      ("missing", config, { (w: [(String, Tensor)]) in w.filter { $0.0 != key } }, ["1 missing tensor(s): '\(key)'"]),
      ("shape", config, { (w: [(String, Tensor)]) in w.map { $0.0 == key ? ($0.0, Tensor.zeros([32, 31])) : $0 } }, ["'\(key)' has shape [32, 31]"]),
      ("family", config.replacingOccurrences(of: "\"vit\"", with: "\"bert\""), { (w: [(String, Tensor)]) in w }, ["config.json", "model_type 'bert' is not a ViT"]),
    ] {
      let f = dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
      try c.write(to: f.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
      try SafeTensors.write(edit(weights), to: f.appendingPathComponent("model.safetensors"))
      XCTAssertThrowsError(try ViTEncoder.load(folder: f), name) { e in
        for p in parts { XCTAssert("\(e)".contains(p), "\(name): '\(p)' not in \(e)") }
      }
    }
  }
}
