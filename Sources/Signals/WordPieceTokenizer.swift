import Foundation

/// BERT's text tokenizer (Devlin et al. 2019, Sec. 3: "WordPiece embeddings (Wu et al., 2016) with a 30,000 token
/// vocabulary"; the uncased models lower-case and strip accents first). Its token ids are those of Hugging Face's
/// slow, pure-Python BERT tokenizer (checked against `BertTokenizerLegacy` of transformers 5.25, the class that
/// was `BertTokenizer` in transformers 4) for the same
/// vocab.txt and settings; the committed fixture `Tests/SignalsTests/Fixtures/wordpiece_expected.json` checks this
/// on over 1,000 lines. Hugging Face's Rust ("fast") tokenizer differs from the slow one, and so from this one, in
/// three rare cases: it lower-cases a word-final capital sigma to σ (Python's `str.lower`: ς), it keeps private-use
/// and unassigned code points (which then make their word [UNK]) where the slow one removes them, and it does not
/// recognise a special token that control characters interrupted ("[CL\u{200B}S]").
///
/// A text becomes tokens in four steps:
/// 1. The special tokens ([UNK], [SEP], [PAD], [CLS], [MASK]) written verbatim in the text are cut out and kept
///    whole; the pieces between them go through steps 2-4.
/// 2. Basic tokenization (`BasicTokenization`): control characters removed, whitespace made spaces, CJK
///    ideographs split off, NFC, split on whitespace, then per word lower-casing, accent stripping and a split
///    at every punctuation character.
/// 3. WordPiece (the wordpiece vocabulary of Wu et al. 2016, Sec. 4.1; the greedy segmentation of BERT's
///    reference code): each word is cut greedily into the longest vocabulary
///    entry at its start, then the longest "##"-prefixed entry at each later position; a word with a position
///    that no entry covers, or longer than `maxInputCharactersPerWord` code points, becomes [UNK] as a whole.
/// 4. `encode` adds [CLS] ... [SEP], truncates, and pads with [PAD].
///
/// Strings are compared as Unicode scalar sequences, as Python compares them: Swift's `String` equality is
/// canonical equivalence, under which a decomposed Hangul syllable would wrongly match its precomposed entry.
public struct WordPieceTokenizer: Sendable {
  /// The vocabulary: token `id` is `tokens[id]`, line `id + 1` of vocab.txt.
  public let tokens: [String]
  public let unknownID: Int, classID: Int, separatorID: Int, paddingID: Int, maskID: Int
  public let basic: BasicTokenization
  /// Words with more code points than this (after basic tokenization) become [UNK] (BERT: 100).
  public let maxInputCharactersPerWord: Int

  private let ids: [[Unicode.Scalar]: Int]
  /// The most code points in one entry: no longer piece can match.
  private let longestPiece: Int
  /// The special tokens as they are matched in text (step 1), with their ids.
  private let specials: [(scalars: [Unicode.Scalar], id: Int)]

  /// The largest vocab.txt accepted (BERT's is 230 KB, multilingual BERT's under 1 MB).
  public static let maxVocabularyBytes = 16 << 20
  /// BERT's special tokens, in the order Hugging Face matches them in text.
  public static let specialTokens = ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"]

  /// Loads vocab.txt: UTF-8, one token per line (lines end with "\n", "\r\n" or "\r", as Python's text mode
  /// reads them), the id of a token its line index from 0. `stripAccents` defaults to `doLowerCase`, as in BERT.
  /// A token that appears twice is an error (Hugging Face would silently give it the later line's id and leave
  /// the earlier id unreachable, which means the file is not the one the model was trained with); the five
  /// special tokens must be present.
  public init(vocabulary url: URL, doLowerCase: Bool = true, stripAccents: Bool? = nil,
              tokenizeChineseCharacters: Bool = true, maxInputCharactersPerWord: Int = 100) throws {
    let data = try FileContents.head(url, count: Self.maxVocabularyBytes + 1)
    guard !data.isEmpty else { throw SignalError(url.path, "is empty, expected a WordPiece vocabulary (vocab.txt: one token per line)") }
    guard data.count <= Self.maxVocabularyBytes else {
      throw SignalError(url.path, "is larger than \(Self.maxVocabularyBytes >> 20) MiB, too large for a WordPiece vocabulary (BERT's has 30522 lines, 230 KB)")
    }
    var tokens: [String] = [], ids: [[Unicode.Scalar]: Int] = [:], longest = 0
    for (index, line) in Self.lines(of: [UInt8](data)).enumerated() {
      guard let token = String(validating: line, as: UTF8.self) else {
        throw SignalError(url.path, "line \(index + 1) is not valid UTF-8; a vocabulary is UTF-8 text")
      }
      let scalars = Array(token.unicodeScalars)
      if let earlier = ids.updateValue(index, forKey: scalars) {
        throw SignalError(url.path, "line \(index + 1) repeats the token \"\(token)\" of line \(earlier + 1); each token must have one id")
      }
      tokens.append(token)
      longest = max(longest, scalars.count)
    }
    func id(_ token: String) throws -> Int {
      guard let id = ids[Array(token.unicodeScalars)] else {
        throw SignalError(url.path, "has no \(token) line; a BERT vocabulary holds \(Self.specialTokens.joined(separator: ", "))")
      }
      return id
    }
    unknownID = try id("[UNK]")
    separatorID = try id("[SEP]")
    paddingID = try id("[PAD]")
    classID = try id("[CLS]")
    maskID = try id("[MASK]")
    let specials = [unknownID, separatorID, paddingID, classID, maskID].map { (scalars: Array(tokens[$0].unicodeScalars), id: $0) }
    self.specials = specials
    self.tokens = tokens
    self.ids = ids
    longestPiece = longest
    basic = BasicTokenization(lowerCase: doLowerCase, stripAccents: stripAccents ?? doLowerCase,
                              splitChineseCharacters: tokenizeChineseCharacters, neverSplit: Set(specials.map(\.scalars)))
    self.maxInputCharactersPerWord = maxInputCharactersPerWord
  }

  /// The word pieces of `text`, without [CLS] and [SEP].
  public func tokenize(_ text: String) -> [String] { pieceIDs(text).map { tokens[$0] } }

  /// Model inputs for one text: [CLS] pieces [SEP], cut to `maxLength` (>= 2) by dropping pieces from the end
  /// ([SEP] stays last), then filled with [PAD] up to `padTo`; the attention mask is 1 for every id but padding.
  public func encode(_ text: String, maxLength: Int? = nil, padTo: Int? = nil) -> (ids: [Int], attentionMask: [Int]) {
    var body = pieceIDs(text)
    if let maxLength {
      precondition(maxLength >= 2, "maxLength \(maxLength) leaves no room for [CLS] and [SEP]")
      body = Array(body.prefix(maxLength - 2))
    }
    var ids = [classID] + body + [separatorID]
    var mask = [Int](repeating: 1, count: ids.count)
    if let padTo, padTo > ids.count {
      mask += [Int](repeating: 0, count: padTo - ids.count)
      ids += [Int](repeating: paddingID, count: padTo - ids.count)
    }
    return (ids, mask)
  }

  /// Steps 1-3: the ids of the word pieces of `text`.
  private func pieceIDs(_ text: String) -> [Int] {
    var result: [Int] = []
    var rest = Array(text.unicodeScalars)[...]
    while !rest.isEmpty {
      var cut: (at: Int, length: Int, id: Int)?
      search: for i in rest.indices where rest[i] == "[" {
        for special in specials where rest[i...].starts(with: special.scalars) {
          cut = (i, special.scalars.count, special.id)
          break search
        }
      }
      let end = cut?.at ?? rest.endIndex
      for word in basic.words(rest[..<end]) { result += wordPieces(word) }
      guard let cut else { break }
      result.append(cut.id)
      rest = rest[(cut.at + cut.length)...]
    }
    return result
  }

  /// Greedy longest-match-first segmentation of one word into wordpieces (BERT's reference implementation).
  private func wordPieces(_ word: [Unicode.Scalar]) -> [Int] {
    guard word.count <= maxInputCharactersPerWord else { return [unknownID] }
    var pieces: [Int] = [], start = 0
    while start < word.count {
      var end = min(word.count, start + longestPiece), found: Int?
      while end > start {
        let piece = start == 0 ? Array(word[..<end]) : Self.continuation + word[start..<end]
        if let id = ids[piece] { found = id; break }
        end -= 1
      }
      guard let found else { return [unknownID] }
      pieces.append(found)
      start = end
    }
    return pieces
  }

  private static let continuation: [Unicode.Scalar] = ["#", "#"]

  /// The lines of a text file as Python's universal-newline mode splits them: "\n", "\r\n" and "\r" each end a
  /// line, and a last line without an end still counts.
  private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = [], start = 0, i = 0
    while i < bytes.count {
      if bytes[i] == 0x0A || bytes[i] == 0x0D {
        lines.append(bytes[start..<i])
        i += bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A ? 2 : 1
        start = i
      } else {
        i += 1
      }
    }
    if start < bytes.count { lines.append(bytes[start...]) }
    return lines
  }
}
