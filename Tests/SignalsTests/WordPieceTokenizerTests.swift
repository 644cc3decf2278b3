import Foundation
import Signals
import XCTest

final class WordPieceTokenizerTests: XCTestCase {
  /// all-MiniLM-L6-v2's vocabulary (bert-base-uncased's), with its tokenizer_config.json settings (the defaults).
  func miniLM() throws -> WordPieceTokenizer { try WordPieceTokenizer(vocabulary: Fixture.url("wordpiece_vocab.txt")) }

  /// Every line of the committed corpus (Fixtures/make_wordpiece_fixture.py: over 1,000 lines of many scripts,
  /// emoji, control characters, long words) gets exactly the ids of Hugging Face's slow Python BertTokenizer
  /// with all-MiniLM-L6-v2's vocab.txt.
  func testCorpusIDsEqualPythonBertTokenizer() throws {
    let tokenizer = try miniLM()
    XCTAssertEqual(tokenizer.tokens.count, 30522)
    let corpus = try XCTUnwrap((try Fixture.json("wordpiece_expected.json") as? [String: Any])?["corpus"] as? [[String]])
    XCTAssertGreaterThanOrEqual(corpus.count, 1000)
    var mismatches = 0
    for (n, entry) in corpus.enumerated() {
      let expected = entry[1].split(separator: " ").map { Int($0)! }
      let got = tokenizer.encode(entry[0]).ids
      guard got != expected else { continue }
      mismatches += 1
      if mismatches == 1 {
        XCTFail("""
          corpus line \(n + 1) \(String(reflecting: entry[0])):
            Swift  \(got) \(got.map { tokenizer.tokens[$0] })
            Python \(expected) \(expected.map { tokenizer.tokens[$0] })
          """)
      }
    }
    XCTAssertEqual(mismatches, 0, "\(mismatches) of \(corpus.count) corpus lines differ from Python (the first is shown above)")
  }

  /// The ten sentences of the MiniLM parity test (Tests/HyperNNTests/Fixtures/minilm_reference.json, whose ids
  /// sentence-transformers' own tokenizer gave) tokenize to the same ids here: text to embedding is covered
  /// end to end with BERTEncoderTests.
  func testMiniLMReferenceSentencesTokenizeAlike() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("HyperNNTests/Fixtures/minilm_reference.json")
    let sentences = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?["sentences"] as? [[String: Any]])
    XCTAssertEqual(sentences.count, 10)
    let tokenizer = try miniLM()
    for s in sentences {
      let text = try XCTUnwrap(s["sentence"] as? String), ids = try XCTUnwrap(s["ids"] as? [Int])
      XCTAssertEqual(tokenizer.encode(text).ids, ids, text)
    }
  }

  /// Truncation to 8 ([SEP] kept last) and padding to 16 with [PAD] and mask 0, as Python gives them.
  func testTruncationAndPaddingEqualPython() throws {
    let tokenizer = try miniLM()
    let cases = try XCTUnwrap((try Fixture.json("wordpiece_expected.json") as? [String: Any])?["lengths"] as? [[Any]])
    XCTAssertGreaterThan(cases.count, 30)
    for c in cases {
      let text = c[0] as! String, maxLength = c[1] as? Int, padTo = c[2] as? Int
      let (ids, mask) = tokenizer.encode(text, maxLength: maxLength, padTo: padTo)
      let label = "\(String(reflecting: text)) maxLength \(maxLength.map(String.init) ?? "none") padTo \(padTo.map(String.init) ?? "none")"
      XCTAssertEqual(ids, (c[3] as! String).split(separator: " ").map { Int($0)! }, label)
      XCTAssertEqual(mask, (c[4] as! String).split(separator: " ").map { Int($0)! }, label)
    }
  }

  func testTokenizeGivesThePieces() throws {
    let tokenizer = try miniLM()
    XCTAssertEqual(tokenizer.tokenize("Unaffable hypernetworks, naïve Σ!"),
                   ["una", "##ffa", "##ble", "hyper", "##net", "##works", ",", "naive", "σ", "!"])
    XCTAssertEqual(tokenizer.tokenize(""), [])
    XCTAssertEqual(tokenizer.encode("").ids, [tokenizer.classID, tokenizer.separatorID])
  }

  /// Greedy longest-match-first on a hand-made vocabulary, independent of the fixture.
  func testGreedyLongestMatchAndUnknownOnTinyVocabulary() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "a", "##ff", "##a", "able", ",", "##f", "中", "caf\u{E9}", "\u{D55C}"]
    let url = dir.appendingPathComponent("vocab.txt")
    try Data(vocab.joined(separator: "\r\n").utf8).write(to: url)  // CRLF, no final line end: still one token a line
    let t = try WordPieceTokenizer(vocabulary: url)
    XCTAssertEqual(t.tokens, vocab)
    XCTAssertEqual(t.tokenize("unaffable"), ["un", "##aff", "##able"])  // "##aff", not "##a" "##ff"
    XCTAssertEqual(t.tokenize("aff affable"), ["a", "##ff", "a", "##ff", "##able"])
    XCTAssertEqual(t.tokenize("unaffablex un"), ["[UNK]", "un"])  // one uncovered position: the whole word
    XCTAssertEqual(t.tokenize("ÜNAFFABLE, ÁBLE!"), ["un", "##aff", "##able", ",", "able", "[UNK]"])
    XCTAssertEqual(t.tokenize("a中a x[MASK]un"), ["a", "中", "a", "[UNK]", "[MASK]", "un"])
    XCTAssertEqual(t.encode("unaffable aff", maxLength: 4, padTo: 6).ids, [2, 5, 6, 3, 0, 0])
    XCTAssertEqual(t.encode("unaffable aff", maxLength: 4, padTo: 6).attentionMask, [1, 1, 1, 1, 0, 0])
    XCTAssertEqual(t.encode("un", maxLength: 8, padTo: 2).ids, [2, 5, 3])

    let cased = try WordPieceTokenizer(vocabulary: url, doLowerCase: false)
    XCTAssertEqual(cased.tokenize("UN un ún"), ["[UNK]", "un", "[UNK]"])
    // NFC first: a decomposed "é" or Hangul syllable finds its precomposed entry in a cased vocabulary ...
    XCTAssertEqual(cased.tokenize("cafe\u{301} Cafe\u{301} \u{D55C} \u{1112}\u{1161}\u{11AB}"), ["caf\u{E9}", "[UNK]", "\u{D55C}", "\u{D55C}"])
    // ... but uncased, NFD leaves "cafe" and the jamo, which match no entry (Swift's String equality would say
    // the jamo equal the syllable; Python's does not).
    XCTAssertEqual(t.tokenize("cafe\u{301} \u{D55C}"), ["[UNK]", "[UNK]"])
    let casedStripped = try WordPieceTokenizer(vocabulary: url, doLowerCase: false, stripAccents: true)
    XCTAssertEqual(casedStripped.tokenize("ún"), ["un"])
    let short = try WordPieceTokenizer(vocabulary: url, maxInputCharactersPerWord: 5)
    XCTAssertEqual(short.tokenize("unaff unaffable"), ["un", "##aff", "[UNK]"])
  }

  /// Bad vocabularies: each refused with one line naming the file and what is wrong.
  func testBadVocabularyFilesAreRefusedByName() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func refusal(_ name: String, _ bytes: [UInt8]?) -> String {
      let url = dir.appendingPathComponent(name)
      if let bytes { try! Data(bytes).write(to: url) }
      do {
        _ = try WordPieceTokenizer(vocabulary: url)
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    let specials = Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n".utf8)
    XCTAssertEqual(refusal("empty.txt", []), "\(dir.path)/empty.txt: is empty, expected a WordPiece vocabulary (vocab.txt: one token per line)")
    XCTAssertEqual(refusal("absent.txt", nil), "\(dir.path)/absent.txt: does not exist")
    XCTAssertEqual(refusal("latin1.txt", specials + [0x63, 0x61, 0x66, 0xE9]),
                   "\(dir.path)/latin1.txt: line 6 is not valid UTF-8; a vocabulary is UTF-8 text")
    XCTAssertEqual(refusal("twice.txt", specials + Array("the\n##s\nthe\n".utf8)),
                   "\(dir.path)/twice.txt: line 8 repeats the token \"the\" of line 6; each token must have one id")
    XCTAssertEqual(refusal("nomask.txt", Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n".utf8)),
                   "\(dir.path)/nomask.txt: has no [MASK] line; a BERT vocabulary holds [UNK], [SEP], [PAD], [CLS], [MASK]")
    XCTAssert(refusal("", nil).hasSuffix("is a folder, expected a file"))
    XCTAssertEqual(refusal("huge.txt", [UInt8](repeating: 0x61, count: WordPieceTokenizer.maxVocabularyBytes + 1)),
                   "\(dir.path)/huge.txt: is larger than 16 MiB, too large for a WordPiece vocabulary (BERT's has 30522 lines, 230 KB)")
  }
}
