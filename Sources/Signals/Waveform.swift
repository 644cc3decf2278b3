import Foundation
import HyperTensor

/// Audio samples in [-1, 1]: `samples` has shape [frames, channels].
public struct Waveform {
  public var samples: Tensor
  public var sampleRate: Int
  public var frames: Int { samples.shape[0] }
  public var channels: Int { samples.shape[1] }
  public var duration: Double { Double(frames) / Double(sampleRate) }

  public init(samples: Tensor, sampleRate: Int) {
    precondition(samples.rank == 2, "waveform samples must be [frames, channels], got \(samples.shape)")
    self.samples = samples
    self.sampleRate = sampleRate
  }

  /// Reads RIFF/WAVE: PCM 8 (unsigned), 16, 24, 32-bit integer or 32-bit float (also WAVE_FORMAT_EXTENSIBLE),
  /// up to `maxChannels` channels at up to `maxSampleRate`, at least one frame, finite samples. Integers are
  /// scaled by 1 / 2^(bits-1).
  public static func load(_ url: URL) throws -> Waveform {
    let bytes = [UInt8](try FileContents.read(url))
    func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
    func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
    guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x41, 0x56, 0x45] else {
      throw SignalError(url.path, "not a RIFF/WAVE file")
    }
    var off = 12
    var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
    while off + 8 <= bytes.count {
      let id = String(decoding: bytes[off..<off + 4], as: UTF8.self), size = u32(off + 4)
      let body = off + 8
      if id == "fmt " {
        guard size >= 16, body + 16 <= bytes.count else { throw SignalError(url.path, "truncated fmt chunk") }
        var tag = u16(body)
        if tag == 0xFFFE, size >= 26, body + 26 <= bytes.count { tag = u16(body + 24) }
        format = (tag, u16(body + 2), u32(body + 4), u16(body + 14))
      } else if id == "data" {
        guard let f = format else { throw SignalError(url.path, "data chunk before fmt chunk") }
        guard (1...maxChannels).contains(f.channels), (1...maxSampleRate).contains(f.rate) else {
          throw SignalError(url.path, "invalid fmt: \(f.channels) channels at \(f.rate) Hz (expected 1...\(maxChannels) channels at 1...\(maxSampleRate) Hz)")
        }
        let width = f.bits / 8
        guard (f.tag == 1 && [8, 16, 24, 32].contains(f.bits)) || (f.tag == 3 && f.bits == 32) else {
          throw SignalError(url.path, "unsupported WAV encoding (format tag \(f.tag), \(f.bits) bits); expected PCM 8/16/24/32-bit or float 32-bit")
        }
        guard body + size <= bytes.count else {
          throw SignalError(url.path, "truncated: data chunk declares \(size) bytes, \(bytes.count - body) present")
        }
        let frames = size / (width * f.channels)
        let t = Tensor.build([frames, f.channels]) { p, n in
          for i in 0..<n {
            let o = body + i * width
            switch (f.tag, f.bits) {
            case (3, _): p[i] = Float(bitPattern: UInt32(u32(o)))
            case (_, 8): p[i] = (Float(bytes[o]) - 128) / 128
            case (_, 16): p[i] = Float(Int16(bitPattern: UInt16(u16(o)))) / 32768
            case (_, 24): p[i] = Float(Int32(bitPattern: UInt32(u16(o) | Int(bytes[o + 2]) << 16) << 8) >> 8) / 8_388_608
            default: p[i] = Float(Int32(bitPattern: UInt32(u32(o)))) / 2_147_483_648
            }
          }
        }
        guard frames > 0 else { throw SignalError(url.path, "holds no samples") }
        guard t.isAllFinite else { throw SignalError(url.path, "holds NaN or infinite samples") }
        return Waveform(samples: t, sampleRate: f.rate)
      }
      off = body + size + (size & 1)
    }
    throw SignalError(url.path, format == nil ? "no fmt chunk" : "no data chunk (truncated?)")
  }

  /// The largest sample rate and channel count `load` and `writeWAV` accept (far above real audio, and a
  /// header's byte rate, rate x channels x 2, then always fits its 32 bits).
  public static let maxSampleRate = 1 << 20, maxChannels = 64

  /// Writes 16-bit PCM atomically (values clamped to [-1, 1]); refuses NaN or infinite samples, and rates
  /// or channel counts a WAV header cannot hold (nothing is written).
  public func writeWAV(_ url: URL) throws {
    guard (1...Self.maxSampleRate).contains(sampleRate) else {
      throw SignalError(url.path, "not written: sample rate \(sampleRate) Hz is outside 1...\(Self.maxSampleRate)")
    }
    guard (1...Self.maxChannels).contains(channels) else {
      throw SignalError(url.path, "not written: \(channels) channels, expected 1...\(Self.maxChannels)")
    }
    guard frames * channels * 2 <= Int(UInt32.max) - 36 else { throw SignalError(url.path, "not written: longer than a WAV file can hold") }
    try SignalError.requireFinite(samples, writing: url)
    var out = Data()
    func put32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
    func put16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
    let dataBytes = frames * channels * 2
    out.append(contentsOf: Array("RIFF".utf8)); put32(36 + dataBytes); out.append(contentsOf: Array("WAVE".utf8))
    out.append(contentsOf: Array("fmt ".utf8)); put32(16); put16(1); put16(channels); put32(sampleRate)
    put32(sampleRate * channels * 2); put16(channels * 2); put16(16)
    out.append(contentsOf: Array("data".utf8)); put32(dataBytes)
    for v in samples.scalars {
      put16(Int(UInt16(bitPattern: Int16((min(max(v, -1), 1) * 32767).rounded()))))
    }
    try AtomicFile.write(out, to: url)
  }
}
