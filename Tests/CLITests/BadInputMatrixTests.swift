import Foundation
import XCTest

/// Bad input over the commands, in one table: every case must fail with a non-zero status (no signal),
/// exactly one error line naming what was wrong, and leave every file in the folder as it was (nothing
/// created, changed or removed).
final class BadInputMatrixTests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperinr-bad-\(UUID().uuidString)")
    let fm = FileManager.default
    try fm.createDirectory(at: dir.appendingPathComponent("img"), withIntermediateDirectories: true)
    try fm.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
    var raw = Data()
    for y in 0..<16 { raw.append(0); for x in 0..<16 { raw.append(UInt8((x * 7 + y * 5) * 3 % 256)) } }
    try PNGWriter.gray(width: 16, height: 16, raw: raw).write(to: url("in.png"))
    for i in 0..<3 { try PNGWriter.gray(width: 16, height: 16, raw: raw).write(to: url("img/g\(i).png")) }
    try fm.linkItem(at: url("in.png"), to: url("link.png"))
    let wav = WAVWriter.mono16(rate: 8000, samples: (0..<64).map { 0.4 * sin(Double($0) * 0.3) })
    try wav.write(to: url("in.wav"))
    var fast = wav
    fast.replaceSubrange(24..<28, with: [0x00, 0x28, 0x6B, 0xEE])  // 4,000,000,000 Hz
    try fast.write(to: url("fast.wav"))
    var wide = wav
    wide.replaceSubrange(22..<24, with: [0xFF, 0xFF])  // 65535 channels
    try wide.write(to: url("wide.wav"))
    try WAVWriter.mono16(rate: 8000, samples: []).write(to: url("empty.wav"))
    try Data("not a model".utf8).write(to: url("junk.safetensors"))
    try FileManager.default.createDirectory(at: url("gpt"), withIntermediateDirectories: true)
    try #"{"model_type": "gpt2", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 8, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#
      .write(to: url("gpt/config.json"), atomically: true, encoding: .utf8)
    for (name, text) in [("sofas.yaml", "category: sofas\n"), ("colour.yaml", "category: chairs\ncolour: red\n"),
                         ("tiny.yaml", "category: lamps\nsize: 0\n"), ("nocat.yaml", "count: 3\n"),
                         ("count0.yaml", "category: lamps\ncount: 0\n")] {
      try text.write(to: url(name), atomically: true, encoding: .utf8)
    }
    try """
      method: trans-inr
      data: {train: img, test: img, size: 16, trainTransform: resize, testTransform: resize, testCount: 0}
      inr: {hiddenLayers: 1, width: 8, frequencies: 4, sigma: 8}
      transINR: {patch: 4, dim: 16, depth: 1, heads: 2, groups: 4}
      train: {steps: 3, batch: 2, learningRate: 0.001, schedule: cosine, warmup: 0, pixels: 64, seed: 3,
              logEvery: 1, evalEvery: 0, checkpointEvery: 0}
      """.write(to: url("t.yaml"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try run(["fit", "in.png", "-o", "m.safetensors", "--steps", "3"]).0, 0)
    XCTAssertEqual(try run(["compress", "in.png", "-o", "c.hinr", "--steps", "3"]).0, 0)
    XCTAssertEqual(try run(["fit", "in.wav", "-o", "a.safetensors", "--steps", "3"]).0, 0)
    XCTAssertEqual(try run(["train", "--config", "t.yaml", "--output", "run"]).0, 0)
    // Model files whose metadata or weights no fit writes (the header's length prefix is rewritten, so
    // the file stays well-formed).
    let model = try Data(contentsOf: url("m.safetensors"))
    for (name, source, from, to) in [("badw0", model, #"\"w0\":30,"#, #"\"w0\":-1,"#), ("badch", model, #"\"channels\":1"#, #"\"channels\":9"#),
                                     ("baddim", model, #"\"inputDim\":2"#, #"\"inputDim\":3"#),
                                     ("hugewidth", model, #"\"width\":64}"#, #"\"width\":1436426281}"#),
                                     ("fastaudio", try Data(contentsOf: url("a.safetensors")), #"\"sampleRate\":8000"#, #"\"sampleRate\":4000000000"#)] {
      let n = Int(source.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
      let header = String(decoding: source[8..<8 + n], as: UTF8.self)
      let edited = header.replacingOccurrences(of: from, with: to)
      XCTAssertNotEqual(edited, header, name)
      let length = withUnsafeBytes(of: UInt64(edited.utf8.count).littleEndian) { Data($0) }
      try (length + Data(edited.utf8) + source[(8 + n)...]).write(to: url("\(name).safetensors"))
    }
    var nan = model
    let dataStart = 8 + Int(model.prefix(8).withUnsafeBytes { $0.load(as: UInt64.self) })
    nan.replaceSubrange(dataStart..<dataStart + 4, with: [0x00, 0x00, 0xC0, 0x7F])  // the first weight: NaN
    try nan.write(to: url("nan.safetensors"))
    // A PNG header declaring 40000 x 40000 pixels (1.6 G), with no pixel data behind it.
    func chunk(_ type: String, _ body: [UInt8]) -> Data {
      let typed = Data(type.utf8) + Data(body)
      return Data(withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init)) + typed
        + Data(withUnsafeBytes(of: PNGWriter.crc32(typed).bigEndian, Array.init))
    }
    let side = withUnsafeBytes(of: UInt32(40000).bigEndian, Array.init)
    try (Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + chunk("IHDR", side + side + [8, 0, 0, 0, 0]) + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
      + chunk("IEND", []))
      .write(to: url("huge.png"))
    try Data(try Data(contentsOf: url("in.png")).prefix(30)).write(to: url("trunc.png"))
    try Data("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0\n1 0\n0 1\n3 0 1 2\n".utf8)
      .write(to: url("noz.ply"))
    try Data("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".utf8).write(to: url("tri.obj"))
    try Data("v 0 0 0\nv 1 0 0\n".utf8).write(to: url("nofaces.obj"))
    // .hinr files with a bad field behind a valid CRC-32 (offsets of CompressedField.encoded's header): w0
    // NaN, an image 1,436,426,281 pixels wide, a NaN quantization range; and a damaged and a truncated one.
    let hinr = try Data(contentsOf: url("c.hinr"))
    for (name, offset, bytes) in [("nanw0", 18, [0x00, 0x00, 0xC0, 0x7F]), ("hugeimg", 10, [0x29, 0x20, 0x9E, 0x55]),
                                  ("nanrange", 45, [0x00, 0x00, 0xC0, 0x7F])] as [(String, Int, [UInt8])] {
      var d = hinr
      d.replaceSubrange(offset..<offset + 4, with: bytes)
      let crc = PNGWriter.crc32(d.prefix(d.count - 4))
      withUnsafeBytes(of: crc.littleEndian) { d.replaceSubrange(d.count - 4..<d.count, with: $0) }
      try d.write(to: url("\(name).hinr"))
    }
    var damaged = hinr
    damaged[damaged.count - 6] ^= 0xFF
    try damaged.write(to: url("badcrc.hinr"))
    try Data(hinr.prefix(40)).write(to: url("trunc.hinr"))
    // A view folder and a scene fitted to it, and view folders broken one way each.
    XCTAssertEqual(try run(["render-views", "tri.obj", "-o", "views", "--views", "3", "--size", "12"]).0, 0)
    XCTAssertEqual(try run(["fit", "views", "-o", "scene.safetensors", "--steps", "2", "--batch", "8", "--samples", "4", "--layers", "1", "--width", "8"]).0, 0)
    let transforms = try String(contentsOf: url("views/transforms.json"), encoding: .utf8)
    for (name, edit) in [("vnoangle", { (t: String) in t.replacingOccurrences(of: "\"camera_angle_x\"", with: "\"angle\"") }),
                         ("vbadmatrix", { (t: String) in t.replacingOccurrences(of: "          0,\n          0,\n          0,\n          1\n", with: "          0,\n          0,\n          1\n") }),
                         ("vnopng", { (t: String) in t.replacingOccurrences(of: "r_002", with: "r_009") }),
                         ("vnonsquare", { (t: String) in t })] {
      try FileManager.default.copyItem(at: url("views"), to: url(name))
      let edited = edit(transforms)
      XCTAssert(name == "vnonsquare" || edited != transforms, name)
      try edited.write(to: url("\(name)/transforms.json"), atomically: true, encoding: .utf8)
    }
    try FileManager.default.removeItem(at: url("vnonsquare/r_001.png"))
    try PNGWriter.gray(width: 12, height: 6, raw: Data(repeating: 0, count: 6 * 13)).write(to: url("vnonsquare/r_001.png"))
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  private func url(_ name: String) -> URL { dir.appendingPathComponent(name) }
  private func run(_ args: [String]) throws -> (Int32, String, String) { try CLIProcess.run(args, in: dir) }

  /// Every file below the folder with its contents, and every folder (as "PATH/").
  private func snapshot() throws -> [String: Data] {
    var files: [String: Data] = [:]
    let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
    while let u = walker?.nextObject() as? URL {
      if (try u.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        files[u.path] = try Data(contentsOf: u)
      } else {
        files[u.path + "/"] = Data()
      }
    }
    return files
  }

  /// (arguments, parts the one error line must contain).
  private static let cases: [([String], [String])] = [
    // An output that is an input (also through a hard link), a folder or a device.
    (["fit", "in.png", "-o", "in.png"], ["in.png", "is also the input"]),
    (["fit", "in.png", "-o", "link.png"], ["link.png", "is also the input", "in.png"]),
    (["fit", "in.png", "-o", "sub"], ["sub", "not a regular file"]),
    (["fit", "in.png", "-o", "/dev/null"], ["/dev/null"]),
    (["compress", "in.png", "-o", "in.png"], ["in.png", "is also the input"]),
    (["decode", "m.safetensors", "-o", "m.safetensors"], ["m.safetensors", "is also the input"]),
    (["decompress", "c.hinr", "-o", "c.hinr"], ["c.hinr", "is also the input"]),
    (["rd", "--config", "t.yaml", "--report", "t.yaml"], ["t.yaml", "is also the input"]),
    (["fit", "in.png", "-o", "nodir/m.safetensors"], ["nodir", "does not exist"]),
    (["reconstruct", "--model", "run/checkpoint.safetensors", "in.png", "-o", "in.png"], ["in.png", "is also the input"]),
    (["train", "--config", "t.yaml", "--output", "in.png"], ["in.png", "is a file, expected a run folder"]),
    (["train", "--config", "t.yaml", "--output", "in.png/r"], ["in.png/r", "cannot be created"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "data.train=nothere"], ["nothere", "does not exist"]),
    // Missing inputs, folders as inputs, wrong kinds.
    (["fit", "missing.png", "-o", "m2.safetensors"], ["missing.png"]),
    (["fit", "sub", "-o", "m2.safetensors"], ["sub"]),
    (["decompress", "missing.hinr", "-o", "y.png"], ["missing.hinr", "does not exist"]),
    (["decompress", "sub", "-o", "y.png"], ["sub", "folder"]),
    (["compress", "sub", "-o", "z.hinr"], ["sub", "folder"]),
    (["eval", "sub", "in.png"], ["sub", "folder"]),
    (["eval", "in.png", "missing.png"], ["missing.png", "does not exist"]),
    (["reconstruct", "--model", "run/checkpoint.safetensors", "sub", "-o", "y.png"], ["sub", "is a folder"]),
    (["decompress", "c.hinr", "-o", "y.png", "--original", "sub"], ["sub", "is a folder"]),
    (["decompress", "c.hinr", "-o", "y.png", "--original", "missing.png"], ["missing.png", "does not exist"]),
    (["fit", "trunc.png", "-o", "m2.safetensors"], ["trunc.png", "corrupt or unreadable image"]),
    (["fit", "noz.ply", "-o", "m2.safetensors"], ["noz.ply", "no 'z' property"]),
    (["reconstruct", "--model", "junk.safetensors", "in.png", "-o", "y.png"], ["junk.safetensors", "not a safetensors file"]),
    (["decode", "junk.safetensors", "-o", "y.png"], ["junk.safetensors"]),
    (["decompress", "m.safetensors", "-o", "y.png"], ["m.safetensors"]),
    (["eval", "in.png", "in.wav"], ["in.png", "does not match"]),
    // Model files and .hinr headers that no command writes.
    (["decode", "badw0.safetensors", "-o", "y.png"], ["badw0.safetensors", "net.w0 must be a positive finite number"]),
    (["decode", "badch.safetensors", "-o", "y.png"], ["badch.safetensors", "signal.channels must be in 1...4"]),
    (["decode", "baddim.safetensors", "-o", "y.png"], ["baddim.safetensors", "the net maps 3-D coordinates"]),
    (["decode", "nan.safetensors", "-o", "y.png"], ["y.png", "not written", "NaN or infinite"]),
    (["decompress", "nanw0.hinr", "-o", "y.png"], ["nanw0.hinr", "net.w0 must be a positive finite number"]),
    (["decompress", "hugeimg.hinr", "-o", "y.png"], ["hugeimg.hinr", "at most 67108864 pixels, got [16, 1436426281]"]),
    (["decompress", "nanrange.hinr", "-o", "y.png"], ["nanrange.hinr", "quantization ranges must be finite"]),
    (["decompress", "badcrc.hinr", "-o", "y.png"], ["badcrc.hinr", "CRC-32 mismatch"]),
    (["decompress", "trunc.hinr", "-o", "y.png"], ["trunc.hinr", "truncated"]),
    (["decode", "hugewidth.safetensors", "-o", "y.png"], ["hugewidth.safetensors", "net.width must be in 1...4096, got 1436426281"]),
    (["decode", "fastaudio.safetensors", "-o", "y.wav"], ["fastaudio.safetensors", "signal.sampleRate must be in 1...1048576, got 4000000000"]),
    (["decode", "m.safetensors", "-o", "y.wav"], ["y.wav", "an image decodes to .png or .jpg"]),
    // WAV headers no audio has.
    (["fit", "huge.png", "-o", "m2.safetensors"], ["huge.png", "40000 x 40000 pixels, more than the 67108864"]),
    (["fit", "fast.wav", "-o", "m2.safetensors"], ["fast.wav", "4000000000 Hz"]),
    (["fit", "wide.wav", "-o", "m2.safetensors"], ["wide.wav", "65535 channels"]),
    (["fit", "empty.wav", "-o", "m2.safetensors"], ["empty.wav", "holds no samples"]),
    (["compress", "empty.wav", "-o", "z.hinr"], ["empty.wav", "holds no samples"]),
    // Sizes and numbers out of range, negative or not finite.
    (["fit", "in.png", "-o", "m2.safetensors", "--steps", "-1"], ["--steps must be in 1...", "got -1"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--steps", "0"], ["--steps must be in 1..."]),
    (["fit", "in.png", "-o", "m2.safetensors", "--lr", "nan"], ["--lr must be a positive finite number"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--lr", "-0.1"], ["--lr must be a positive finite number"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--width", "70000"], ["--width must be in 1...4096"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--inr", "fourier", "--frequencies", "1000000"], ["--frequencies must be in 1...1024"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--layers", "0"], ["--layers must be in 1...64"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--w0", "inf"], ["--w0 must be a positive finite number"]),
    (["fit", "in.png", "-o", "m2.safetensors", "--batch", "-5"], ["--batch"]),
    (["compress", "in.png", "-o", "z.hinr", "--bpp", "inf"], ["--bpp must be a positive finite number"]),
    (["compress", "in.png", "-o", "z.hinr", "--bpp", "0"], ["--bpp must be a positive finite number"]),
    (["compress", "in.png", "-o", "z.hinr", "--width", "70000"], ["--width must be in 1...4096"]),
    (["compress", "in.png", "-o", "z.hinr", "--bits", "7"], ["--bits"]),
    (["decode", "m.safetensors", "-o", "y.png", "--size", "0x5"], ["--size"]),
    (["decode", "m.safetensors", "-o", "y.png", "--size", "100000x100000"], ["--size"]),
    (["decode", "m.safetensors", "-o", "y.wav", "--rate", "0"], ["--rate (Hz) must be in 1...384000"]),
    (["decompress", "c.hinr", "-o", "y.wav", "--rate", "0"], ["--rate (Hz) must be in 1...384000"]),
    (["decompress", "c.hinr", "-o", "y.obj", "--resolution", "100000"], ["--resolution must be in 2...512"]),
    (["evaluate", "--config", "t.yaml", "--standard-steps", "2", "--standard-lr", "nan"], ["--standard-lr must be a positive finite number"]),
    (["evaluate", "--config", "t.yaml", "--standard-steps", "-2"], ["--standard-steps must be in 1..."]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "train.batch=99999999"], ["train.batch must be in 1...4096"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "data.size=100000"], ["data.size"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "train.batch=4096", "--set", "data.size=2048", "--set", "train.pixels=0"],
     ["training 4096 signals of 2048 per step would need about", "HYPERINR_MEMORY_MB"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "inr.width=70000"], ["inr.width must be in 1...4096"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "train.learningRate=.nan"], ["train.learningRate must be a positive finite number"]),
    (["train", "--config", "t.yaml", "--output", "r", "--set", "train.steps=-3"], ["train.steps must be in 1..."]),
    (["train", "--config", "missing.yaml", "--output", "r"], ["missing.yaml"]),
    // Views of meshes.
    (["render-views", "noz.ply", "-o", "v"], ["noz.ply", "no 'z' property"]),
    (["render-views", "nofaces.obj", "-o", "v"], ["nofaces.obj", "no faces"]),
    (["render-views", "missing.obj", "-o", "v"], ["missing.obj", "does not exist"]),
    (["render-views", "in.png", "-o", "v"], ["in.png", "unsupported mesh type"]),
    (["render-views", "tri.obj", "-o", "sub"], ["sub", "already exists"]),
    (["render-views", "tri.obj", "-o", "in.png"], ["in.png", "is a file"]),
    (["render-views", "tri.obj", "-o", "v", "--views", "0"], ["--views must be in 1...10000"]),
    (["render-views", "tri.obj", "-o", "v", "--size", "100000"], ["--size must be in 1...4096"]),
    (["render-views", "tri.obj", "-o", "v", "--radius", "1.5"], ["--radius must be above 1.8"]),
    (["render-views", "tri.obj", "-o", "v", "--fov", "nan"], ["--fov must be a positive finite number"]),
    (["render-views", "tri.obj", "-o", "v", "--fov", "3.2"], ["--fov must be at most 3.1"]),
    (["render-views", "tri.obj", "-o", "v", "--radius", "inf"], ["--radius must be a positive finite number"]),
    (["render-views", "tri.obj", "-o", "v", "--samples", "9"], ["--samples must be in 1...8"]),
    (["render-views", "tri.obj", "-o", "v", "--views", "10000", "--size", "4096"], ["10000 views of 4096x4096 would need about"]),
    (["make-views", "--category", "meshes", "-o", "v"], ["--meshes FOLDER goes with --category meshes"]),
    (["make-views", "--category", "chairs", "--meshes", "sub", "-o", "v"], ["--meshes FOLDER goes with --category meshes"]),
    (["make-views", "--category", "meshes", "--meshes", "sub", "-o", "v"], ["sub", "holds no .obj or .ply mesh"]),
    (["make-views", "--category", "meshes", "--meshes", "nothere", "-o", "v"], ["nothere", "not a readable folder"]),
    (["make-views", "--category", "sofas", "-o", "v"], ["sofas"]),
    (["make-views", "--category", "lamps", "-o", "v", "--count", "0"], ["--count must be in 1...100000"]),
    (["make-views", "--category", "lamps", "-o", "v", "--val", "0.6", "--test", "0.5"], ["--val and --test must be shares"]),
    (["make-views", "--category", "lamps", "-o", "sub"], ["sub", "already exists"]),
    (["make-views", "--config", "nothere.yaml", "-o", "v"], ["nothere.yaml", "cannot be read"]),
    (["make-views", "--config", "sofas.yaml", "-o", "v"], ["sofas.yaml", "'category' must be one of", "sofas"]),
    (["make-views", "--config", "colour.yaml", "-o", "v"], ["colour.yaml", "unknown key 'colour'"]),
    (["make-views", "--config", "tiny.yaml", "-o", "v"], ["tiny.yaml", "--size must be in"]),
    (["make-views", "--config", "count0.yaml", "-o", "v"], ["count0.yaml", "--count must be in 1...100000, got 0"]),
    (["make-views", "--config", "count0.yaml", "--set", "count=-2", "-o", "v"], ["count0.yaml", "got -2"]),
    (["make-views", "--config", "nocat.yaml", "-o", "v"], ["nocat.yaml", "--category is required"]),
    (["make-views", "--config", "nocat.yaml", "--set", "count", "-o", "v"], ["--set count", "KEY.PATH=VALUE"]),
    (["make-views", "--category", "chairs", "--set", "count=3", "-o", "v"], ["--set changes a setting of --config"]),
    // Backbones: an unknown family, no configuration, no such path.
    (["backbone", "info", "gpt"], ["gpt/config.json", "model_type 'gpt2' is not a supported encoder (supported: bert, vit)"]),
    (["backbone", "info", "img"], ["img/config.json", "cannot be read"]),
    (["backbone", "info", "nothere"], ["nothere", "does not exist"]),
    (["backbone", "info", "junk.safetensors"], ["junk.safetensors", "is a file; give the backbone's folder"]),
    // Scenes: broken view folders, options that do not apply, unparsable poses, the wrong model kind.
    (["fit", "vnoangle", "-o", "s.safetensors"], ["vnoangle/transforms.json", "lacks camera_angle_x"]),
    (["fit", "vbadmatrix", "-o", "s.safetensors"], ["vbadmatrix/transforms.json", "transform_matrix must be 4 x 4"]),
    (["fit", "vnopng", "-o", "s.safetensors"], ["vnopng/r_009.png", "does not exist"]),
    (["fit", "vnonsquare", "-o", "s.safetensors"], ["vnonsquare/r_001.png", "must be square"]),
    (["fit", "views", "-o", "s.safetensors", "--holdout", "3"], ["--holdout 3 leaves no training view", "3 views"]),
    (["fit", "views", "-o", "s.safetensors", "--samples", "1"], ["--samples must be in 2...1024"]),
    (["fit", "views", "-o", "s.safetensors", "--near", "3", "--far", "2"], ["--far must be finite, above near"]),
    (["fit", "views", "-o", "s.safetensors", "--batch", "0"], ["--batch must be at least 1 ray"]),
    (["fit", "views", "-o", "s.safetensors", "--output-activation", "sigmoid"], ["--output-activation does not apply to a view folder"]),
    (["fit", "views", "-o", "s.safetensors", "--resume", "m.safetensors"], ["m.safetensors", "not a HyperINR scene model"]),
    (["fit", "views", "-o", "scene.safetensors", "--resume", "scene.safetensors", "--samples", "8"], ["--samples 8 differs from the checkpoint's 4"]),
    (["fit", "in.png", "-o", "s.safetensors", "--holdout", "1"], ["--holdout applies to a view folder", "in.png"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "30"], ["--pose '30' does not parse"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "30,north"], ["--pose '30,north' does not parse"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "30,95"], ["elevation must be in -90...90"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "30,20,-4"], ["distance must be in (0, 1e6]"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "2,0,0,0,0,1,0,0,0,0,1,4,0,0,0,1"], ["not a camera-to-world matrix"]),
    (["render", "scene.safetensors", "-o", "r.png"], ["exactly one of --pose and --turntable"]),
    (["render", "scene.safetensors", "-o", "r.png", "--pose", "1,2", "--turntable", "4"], ["exactly one of --pose and --turntable"]),
    (["render", "scene.safetensors", "-o", "r.jpg", "--pose", "1,2"], ["r.jpg", "written as .png"]),
    (["render", "scene.safetensors", "-o", "r.png", "--depth", "r.png", "--pose", "1,2"], ["r.png", "is also an output"]),
    (["render", "scene.safetensors", "-o", "scene.safetensors", "--pose", "1,2"], ["written as .png"]),
    (["render", "m.safetensors", "-o", "r.png", "--pose", "1,2"], ["m.safetensors", "not a HyperINR scene model"]),
    (["render", "junk.safetensors", "-o", "r.png", "--pose", "1,2"], ["junk.safetensors"]),
    (["decode", "scene.safetensors", "-o", "r.png"], ["scene.safetensors", "holds a scene", "hyperinr render"]),
    (["render", "scene.safetensors", "-o", "r.png", "--turntable", "0"], ["--turntable must be in 1...360"]),
    // Unknown options and commands.
    (["fit", "in.png", "-o", "m2.safetensors", "--bogus"], ["--bogus"]),
    (["frobnicate"], ["frobnicate"]),
  ]

  /// A learning rate that blows up stops fit and train with one line naming the step; the checkpoint
  /// written before it is kept (a non-finite update is never applied, never saved), and --resume may
  /// continue it with another learning rate.
  func testDivergenceStopsKeepsTheCheckpointAndResumesWithAnotherRate() throws {
    let (s, _, err) = try run(["fit", "in.png", "-o", "f.safetensors", "--inr", "fourier", "--lr", "1e30", "--steps", "50", "--checkpoint-every", "1"])
    XCTAssertEqual(s, 1, err)
    XCTAssert(err.contains("hyperinr: error: training diverged at step 2"), err)
    let (_, _, err2) = try run(["fit", "in.png", "-o", "f.safetensors", "--resume", "f.safetensors", "--steps", "20", "--lr", "1e-30"])
    XCTAssert(err2.contains("resuming f.safetensors at step 1 of 20"), err2)
    XCTAssertFalse(err2.contains("different"), err2)
    let (s3, _, err3) = try run(["train", "--config", "t.yaml", "--output", "r", "--set", "train.learningRate=1e30", "--set", "train.checkpointEvery=1",
                                 "--set", "train.steps=20"])
    XCTAssertEqual(s3, 1, err3)
    XCTAssert(err3.contains("hyperinr: error: training diverged at step 2"), err3)
    let (_, _, err4) = try run(["train", "--config", "t.yaml", "--output", "r", "--resume", "--set", "train.checkpointEvery=1", "--set", "train.steps=20"])
    XCTAssert(err4.contains("resuming at step 1 of 20"), err4)
    XCTAssertFalse(err4.contains("different configuration"), err4)
  }

  /// The fuzz targets' smoke run: every committed seed and 300 seeded mutants of it through each parser
  /// (and what a command does next with it) without a crash (libFuzzer's long runs: fuzz/run.sh).
  func testFuzzSeedsAndTheirMutantsNeverCrash() throws {
    let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz/corpus").standardizedFileURL
    for target in ["png", "jpeg", "wav", "obj", "ply", "safetensors", "model", "hinr", "config"] {
      let (s, out, err) = try CLIProcess.run([target, "--mutations", "300", corpus.appendingPathComponent(target).path], in: dir,
                                             executable: "hyperinr-fuzz")
      XCTAssertEqual(s, 0, "\(target): \(err)")
      XCTAssert(out.hasPrefix("\(target): ") && out.contains("no crash") && !out.contains(" 0 inputs"), out)
    }
  }

  /// A fit whose tensors exceed the memory budget stops before allocating, with one line.
  func testMemoryBudgetStopsAnOversizedFit() throws {
    for (args, budget) in [(["fit", "in.png", "-o", "big.safetensors", "--width", "4096", "--layers", "64"], "8000"),
                           (["fit", "in.png", "-o", "big.safetensors", "--width", "512"], "16"),
                           (["compress", "in.png", "-o", "big.hinr", "--width", "2048", "--layers", "32"], "64")] {
      let (s, _, err) = try CLIProcess.run(args, in: dir, environment: ["HYPERINR_MEMORY_MB": budget])
      XCTAssertEqual(s, 1, err)
      XCTAssert(err.hasPrefix("hyperinr: error: fitting a") && err.contains("more than the") && err.contains("HYPERINR_MEMORY_MB"), err)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: url("big.safetensors").path))
    let (s, _, err) = try CLIProcess.run(["info"], in: dir, environment: ["HYPERINR_MEMORY_MB": "lots"])
    XCTAssertEqual(s, 1)
    XCTAssert(err.contains("HYPERINR_MEMORY_MB='lots': expected a positive integer"), err)
  }

  /// A full disk is named as such (not "out of memory"), for the PNG writer and the model writer, and
  /// leaves no partial file. Needs an 8 KiB tmpfs, so root and a kernel that allows the mount.
  func testFullDiskIsReportedAndLeavesNothing() throws {
    let small = url("small")
    try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
    let mount = try CLIProcess.run(["-t", "tmpfs", "-o", "size=8k", "tmpfs", small.path], in: dir, executable: "/bin/mount")
    guard mount.0 == 0 else { throw XCTSkip("cannot mount a small tmpfs here (\(mount.2.trimmingCharacters(in: .whitespacesAndNewlines))); run as root") }
    defer { _ = try? CLIProcess.run([small.path], in: dir, executable: "/bin/umount") }
    for args in [["decode", "m.safetensors", "-o", "small/y.png", "--size", "512x512"],
                 ["fit", "in.png", "-o", "small/m.safetensors", "--steps", "2", "--width", "128"]] {
      let (s, _, err) = try run(args)
      XCTAssertEqual(s, 1, err)
      let errors = err.split(separator: "\n").filter { $0.hasPrefix("hyperinr: error: ") }
      XCTAssert(errors.count == 1 && errors[0].contains("small/") && errors[0].lowercased().contains("no space left on device"), err)
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: small.path), [], args.joined(separator: " "))
    }
  }

  func testEveryBadInputFailsWithOneLineAndTouchesNothing() throws {
    let before = try snapshot()
    for (args, parts) in Self.cases {
      let (status, _, err) = try run(args)
      let label = args.joined(separator: " ")
      XCTAssert(status == 1 || status == 64, "\(label): exit status \(status)\n\(err)")
      let errors = err.split(separator: "\n").filter { $0.hasPrefix("hyperinr: error:") || $0.hasPrefix("Error:") }
      XCTAssertEqual(errors.count, 1, "\(label)\n\(err)")
      for p in parts { XCTAssert(errors.first?.contains(p) ?? false, "\(label): '\(p)' not in: \(err)") }
      XCTAssertEqual(try snapshot(), before, "\(label) changed the folder")
    }
  }
}
