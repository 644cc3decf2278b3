import Foundation

extension WordPieceTokenizer {
  /// BERT's basic tokenization (Devlin et al. 2019, Sec. 3 and its reference code; the same steps, in the same
  /// order, as Hugging Face's `BasicTokenizer`), which runs before WordPiece:
  /// 1. remove U+0000, U+FFFD and every character of a general category C* except tab, LF and CR; make tab, LF,
  ///    CR and category Zs a space;
  /// 2. put spaces around CJK ideographs (the code point ranges of BERT's `_is_chinese_char`), so that each is a
  ///    word of its own; kana and Hangul are not in them;
  /// 3. NFC, then split on whitespace;
  /// 4. per word, unless it is a special token: lower-case (full Unicode mappings, with Greek final sigma as
  ///    Python's `str.lower` gives it), strip accents (NFD, then drop the nonspacing marks, category Mn), and
  ///    make every punctuation character a word of its own (ASCII 33-47, 58-64, 91-96, 123-126 and category P*).
  ///
  /// Character properties come from the Swift runtime's Unicode tables; the reference comes from Python's.
  /// They agree except on code points assigned in one Unicode version and not the other (Python 3.11 has
  /// Unicode 14): such a code point is unassigned (C*) and removed on the older side.
  public struct BasicTokenization: Sendable {
    public let lowerCase: Bool
    public let stripAccents: Bool
    public let splitChineseCharacters: Bool
    /// Words kept exactly as they are (Hugging Face passes its special tokens here).
    public let neverSplit: Set<[Unicode.Scalar]>

    /// The words of `text`, as Unicode scalar sequences.
    func words(_ text: ArraySlice<Unicode.Scalar>) -> [[Unicode.Scalar]] {
      var cleaned = String.UnicodeScalarView()
      for s in text where s.value != 0 && s.value != 0xFFFD && (!Self.isControl(s) || Self.isSpace(s)) {
        if Self.isSpace(s) {
          cleaned.append(" ")
        } else if splitChineseCharacters && Self.isCJKIdeograph(s) {
          cleaned.append(contentsOf: [" ", s, " "])
        } else {
          cleaned.append(s)
        }
      }
      let composed = String(cleaned).precomposedStringWithCanonicalMapping.unicodeScalars
      var words: [[Unicode.Scalar]] = []
      for piece in composed.split(whereSeparator: \.properties.isWhitespace) {
        let word = Array(piece)
        if neverSplit.contains(word) {
          words.append(word)
          continue
        }
        var w = lowerCase ? Self.lowercased(word) : word
        if stripAccents { w = Self.accentsStripped(w) }
        var current: [Unicode.Scalar] = []
        for s in w {
          if Self.isPunctuation(s) {
            if !current.isEmpty { words.append(current) }
            words.append([s])
            current = []
          } else {
            current.append(s)
          }
        }
        if !current.isEmpty { words.append(current) }
      }
      return words
    }

    /// Python's `str.lower`: each scalar's full lowercase mapping, and capital sigma becomes final sigma when a
    /// cased letter precedes it and none follows (both skipping case-ignorable scalars; Unicode Sec. 3.13).
    static func lowercased(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
      var out: [Unicode.Scalar] = []
      out.reserveCapacity(word.count)
      for (i, s) in word.enumerated() {
        guard s == "\u{03A3}" else {
          out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
          continue
        }
        let before = word[..<i].last { !$0.properties.isCaseIgnorable }
        let after = word[(i + 1)...].first { !$0.properties.isCaseIgnorable }
        let final = before?.properties.isCased == true && after?.properties.isCased != true
        out.append(final ? "\u{03C2}" : "\u{03C3}")
      }
      return out
    }

    /// NFD, without the nonspacing marks (Mn): "é" -> "e", "が" -> "か".
    static func accentsStripped(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
      guard !word.allSatisfy(\.isASCII) else { return word }
      let decomposed = String(String.UnicodeScalarView(word)).decomposedStringWithCanonicalMapping.unicodeScalars
      return decomposed.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    /// Tab, LF, CR and the space separators (Zs).
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
      s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.generalCategory == .spaceSeparator
    }

    /// General category C*: control, format, surrogate, private use, unassigned.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
      switch s.properties.generalCategory {
      case .control, .format, .surrogate, .privateUse, .unassigned: return true
      default: return false
      }
    }

    /// All non-alphanumeric printable ASCII, and general category P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
      switch s.value {
      case 33...47, 58...64, 91...96, 123...126: return true
      default: break
      }
      switch s.properties.generalCategory {
      case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
           .finalPunctuation, .otherPunctuation:
        return true
      default: return false
      }
    }

    /// CJK Unified Ideographs and Extensions A-E, and the CJK Compatibility Ideographs (and Supplement).
    static func isCJKIdeograph(_ s: Unicode.Scalar) -> Bool {
      switch s.value {
      case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
           0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
        return true
      default: return false
      }
    }
  }
}
