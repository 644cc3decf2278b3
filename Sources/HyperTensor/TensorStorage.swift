#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An immutable-after-construction buffer of Float32 values that backs one or more `Tensor`s.
/// Memory comes from `BufferPool`, so buffers of a training step are reused by the next step.
public final class TensorStorage {
  public let count: Int
  public let pointer: UnsafeMutablePointer<Float>

  /// Uninitialised storage for `count` floats (callers fill every element).
  init(uninitializedCount count: Int) {
    self.count = count
    pointer = BufferPool.shared.allocate(floats: count)
  }

  /// Zero-filled storage.
  public convenience init(zeros count: Int) {
    self.init(uninitializedCount: count)
    pointer.update(repeating: 0, count: count)
  }

  deinit { BufferPool.shared.release(pointer, floats: count) }
}

/// A caching allocator: freed buffers are kept per exact size (rounded to 64 bytes) and handed out again,
/// up to `limitBytes` of cached memory. Buffers of 2 MiB and more are 2 MiB aligned and advised as
/// transparent huge pages, which makes their first touch about 4x cheaper on Linux.
public final class BufferPool: @unchecked Sendable {
  public static let shared = BufferPool()

  /// Upper bound of memory kept for reuse (default 4 GiB, `HYPERINR_POOL_MB` overrides).
  public let limitBytes: Int
  private var free: [Int: [UnsafeMutableRawPointer]] = [:]
  private var cachedBytes = 0
  /// Number of buffers obtained from the system (not from the cache) so far.
  public private(set) var systemAllocations = 0
  private var mutex = pthread_mutex_t()
  private static let hugePage = 2 << 20

  init() {
    pthread_mutex_init(&mutex, nil)
    limitBytes = (EnvironmentSettings.poolMB ?? 4096) << 20
  }

  private static func roundedBytes(_ floats: Int) -> Int { max(64, (floats * 4 + 63) & ~63) }

  func allocate(floats: Int) -> UnsafeMutablePointer<Float> {
    let bytes = Self.roundedBytes(floats)
    pthread_mutex_lock(&mutex)
    if let p = free[bytes]?.popLast() {  // in place: copying the list out would copy its storage
      cachedBytes -= bytes
      pthread_mutex_unlock(&mutex)
      return p.assumingMemoryBound(to: Float.self)
    }
    systemAllocations += 1
    pthread_mutex_unlock(&mutex)
    var raw: UnsafeMutableRawPointer?
    let alignment = bytes >= Self.hugePage ? Self.hugePage : 64
    guard posix_memalign(&raw, alignment, bytes) == 0, let p = raw else {
      fatalError("HyperTensor: out of memory allocating \(bytes) bytes")
    }
    #if os(Linux)
    if bytes >= Self.hugePage { _ = madvise(p, bytes, 14 /* MADV_HUGEPAGE */) }
    #endif
    return p.assumingMemoryBound(to: Float.self)
  }

  func release(_ p: UnsafeMutablePointer<Float>, floats: Int) {
    let bytes = Self.roundedBytes(floats)
    pthread_mutex_lock(&mutex)
    if cachedBytes + bytes <= limitBytes {
      free[bytes, default: []].append(UnsafeMutableRawPointer(p))
      cachedBytes += bytes
      pthread_mutex_unlock(&mutex)
      return
    }
    pthread_mutex_unlock(&mutex)
    Glibc.free(p)
  }

  /// Returns every cached buffer to the system.
  public func trim() {
    pthread_mutex_lock(&mutex)
    let lists = free
    free = [:]
    cachedBytes = 0
    pthread_mutex_unlock(&mutex)
    for (_, list) in lists { for p in list { Glibc.free(p) } }
  }

  /// Bytes currently cached for reuse.
  public var cachedByteCount: Int {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return cachedBytes
  }
}
