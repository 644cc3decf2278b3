import CImageCodecs
import Foundation
import NeuralFields
import Signals

/// The `.hinr` file of a D'OH-compressed signal (layout in docs/hinr-format.md): a fixed little-endian
/// header (magic "HINR", version, signal kind and shape, target SIREN, seed, latent size, bit depths and
/// quantization ranges; shapes add their normalisation), the zlib-deflated bitstream of the quantized
/// latent and biases, and a CRC-32 of everything before it.
public struct CompressedField: Equatable {
  public static let magic: [UInt8] = Array("HINR".utf8)
  public static let version: UInt8 = 1
  public static let headerBytes = 69

  /// Image: height, width; audio: frames, sample rate; occupancy: sample count, 0.
  public var kind: FieldSignal.Info.Kind
  public var height: Int, width: Int, channels: Int
  /// Occupancy: the mesh normalisation (centre x, y, z, scale).
  public var meshTransform: [Float]?
  public var net: HypoNet
  public var seed: UInt64
  public var latentDim: Int
  public var latentQuantizer: Quantizer
  public var biasQuantizer: Quantizer
  public var latentCodes: [UInt32]
  public var biasCodes: [UInt32]

  /// Serialises (deflating the bitstream).
  public func encoded() -> Data {
    var packed = BitPacker.pack(latentCodes, bits: latentQuantizer.bits)
    packed += BitPacker.pack(biasCodes, bits: biasQuantizer.bits)
    let payload = Deflate.compress(packed)
    var d = Data(Self.magic)
    func u8(_ v: Int) { d.append(UInt8(v)) }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
    func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func f32(_ v: Float) { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
    u8(Int(Self.version)); u8(Self.kindCode(kind)); u32(height); u32(width); u8(channels)
    u8(net.hiddenLayers); u16(net.width); f32(net.w0); f32(net.w0First); u8(net.positionalFrequencies ?? 0); f32(net.outputBias)
    u64(seed); u32(latentDim)
    u8(latentQuantizer.bits); u8(biasQuantizer.bits)
    f32(latentQuantizer.minimum); f32(latentQuantizer.maximum); f32(biasQuantizer.minimum); f32(biasQuantizer.maximum)
    u32(packed.count); u32(payload.count)
    if kind == .occupancy { for v in meshTransform ?? [0, 0, 0, 1] { f32(v) } }
    d.append(contentsOf: payload)
    withUnsafeBytes(of: Self.checksum(d).littleEndian) { d.append(contentsOf: $0) }
    return d
  }

  /// The CRC-32 a file stores after `body` (everything before its last 4 bytes).
  public static func checksum<C: ContiguousBytes>(_ body: C) -> UInt32 {
    body.withUnsafeBytes { hi_crc32($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
  }

  /// What the file describes, as a fitted model's signal metadata.
  public var info: FieldSignal.Info {
    FieldSignal.Info(kind: kind, size: kind == .image ? [height, width] : [height], channels: channels,
                     sampleRate: kind == .audio ? width : 0, meshTransform: meshTransform)
  }

  /// The largest latent size times target weights a file may declare (the work of one generation pass;
  /// 2^36 multiply-adds, some tens of seconds here): beyond it a few bytes of header would hang the decoder.
  public static let maxProjectionWork = 1 << 36

  static let kinds: [FieldSignal.Info.Kind] = [.image, .audio, .occupancy]
  static func kindCode(_ k: FieldSignal.Info.Kind) -> Int { kinds.firstIndex(of: k)! }
  /// Coordinate dimension of each kind.
  public static func inputDim(_ k: FieldSignal.Info.Kind) -> Int { k == .image ? 2 : (k == .audio ? 1 : 3) }

  public static func decode(_ data: Data, path: String) throws -> CompressedField {
    let b = [UInt8](data)
    guard b.count >= headerBytes + 4 else { throw SignalError(path, "truncated: \(b.count) bytes, a .hinr file has at least \(headerBytes + 4)") }
    guard Array(b[0..<4]) == magic else { throw SignalError(path, "not a HyperINR compressed file (bad magic)") }
    guard b[4] == version else { throw SignalError(path, "unsupported .hinr version \(b[4]) (this build reads \(version))") }
    let stored = UInt32(b[b.count - 4]) | UInt32(b[b.count - 3]) << 8 | UInt32(b[b.count - 2]) << 16 | UInt32(b[b.count - 1]) << 24
    guard Self.checksum(b[..<(b.count - 4)]) == stored else { throw SignalError(path, "corrupt: CRC-32 mismatch (file damaged or truncated)") }
    var o = 5
    func u8() -> Int { defer { o += 1 }; return Int(b[o]) }
    func u16() -> Int { defer { o += 2 }; return Int(b[o]) | Int(b[o + 1]) << 8 }
    func u32() -> Int { defer { o += 4 }; return Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24 }
    func u64() -> UInt64 { let lo = UInt64(u32()); return lo | UInt64(u32()) << 32 }
    func f32() -> Float { Float(bitPattern: UInt32(u32())) }
    let kindByte = u8()
    guard kindByte < kinds.count else { throw SignalError(path, "unsupported signal kind \(kindByte)") }
    let kind = kinds[kindByte]
    let h = u32(), w = u32(), c = u8()
    let hidden = u8(), width = u16(), w0 = f32(), w0First = f32(), pe = u8(), outBias = f32()
    let seed = u64(), d = u32()
    let lbits = u8(), bbits = u8()
    let lq = (f32(), f32()), bq = (f32(), f32())
    let rawLength = u32(), payloadLength = u32()
    var transform: [Float]?
    if kind == .occupancy {
      guard o + 16 <= b.count - 4 else { throw SignalError(path, "truncated: missing the mesh normalisation") }
      transform = (0..<4).map { _ in f32() }
    }
    guard h > 0, w > 0 || kind == .occupancy, (1...4).contains(c), hidden > 0, width > 0, d > 0,
          Quantizer.supportedBits.contains(lbits), Quantizer.supportedBits.contains(bbits) else {
      throw SignalError(path, "corrupt header (image \(w)x\(h)x\(c), SIREN \(hidden)x\(width), latent \(d), bits \(lbits)/\(bbits))")
    }
    guard o + payloadLength == b.count - 4 else { throw SignalError(path, "corrupt: payload length \(payloadLength) does not match the file size") }
    let net = HypoNet(kind: .siren, inputDim: Self.inputDim(kind), outputDim: c, hiddenLayers: hidden, width: width, w0: w0, w0First: w0First,
                      outputBias: outBias, positionalFrequencies: pe == 0 ? nil : pe)
    let biasCount = net.layerShapes.reduce(0) { $0 + $1.1 }, weightCount = net.layerShapes.reduce(0) { $0 + $1.0 * $1.1 }
    var header = CompressedField(kind: kind, height: h, width: w, channels: c, meshTransform: transform, net: net, seed: seed, latentDim: d,
                                 latentQuantizer: Quantizer(bits: lbits, minimum: lq.0, maximum: lq.1),
                                 biasQuantizer: Quantizer(bits: bbits, minimum: bq.0, maximum: bq.1), latentCodes: [], biasCodes: [])
    if let problem = (net.problems + header.info.problems(for: net)).first { throw SignalError(path, "corrupt header: \(problem)") }
    guard [lq.0, lq.1, bq.0, bq.1].allSatisfy(\.isFinite), lq.0 <= lq.1, bq.0 <= bq.1 else {
      throw SignalError(path, "corrupt header: quantization ranges must be finite with minimum <= maximum, got \(lq) and \(bq)")
    }
    guard d <= 4 * (weightCount + biasCount), d * weightCount <= Self.maxProjectionWork else {
      throw SignalError(path, "corrupt header: a latent of \(d) for a SIREN of \(weightCount) weights is larger than any compress writes")
    }
    guard rawLength == (d * lbits + 7) / 8 + (biasCount * bbits + 7) / 8 else {
      throw SignalError(path, "corrupt: bitstream length \(rawLength) does not match latent \(d) and \(biasCount) biases")
    }
    var raw = [UInt8](repeating: 0, count: rawLength)
    let rc = b.withUnsafeBufferPointer { hi_inflate($0.baseAddress! + o, payloadLength, &raw, rawLength) }
    guard rc == 0 else { throw SignalError(path, "corrupt: the compressed payload does not inflate") }
    let latentBytes = (d * lbits + 7) / 8
    header.latentCodes = BitPacker.unpack(raw[0..<latentBytes], count: d, bits: lbits)
    header.biasCodes = BitPacker.unpack(raw[latentBytes...], count: biasCount, bits: bbits)
    return header
  }
}
