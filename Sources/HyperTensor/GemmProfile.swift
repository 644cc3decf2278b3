import Dispatch
import Synchronization

/// Opt-in record of GEMM calls by layout and shape: calls, wall time and floating-point operations, for the
/// profiles of `hyperinr-bench --profile`. Off by default (one relaxed atomic load per GEMM). A batched
/// product is one entry ("8 x NN 4096x128x128"), timed as a whole.
public enum GemmProfile {
  public struct Entry: Sendable {
    public var calls = 0
    public var nanoseconds: UInt64 = 0
    public var flops = 0
  }

  private static let enabled = Atomic<Bool>(false)
  private static let table = Mutex<[String: Entry]>([:])

  /// Clears the record and starts recording.
  public static func start() {
    table.withLock { $0 = [:] }
    enabled.store(true, ordering: .relaxed)
  }

  /// Stops recording and hands over the record (clearing it): the entries, most time first.
  public static func stop() -> [(shape: String, entry: Entry)] {
    enabled.store(false, ordering: .relaxed)
    return table.withLock { t in defer { t = [:] }; return t }.map { (shape: $0.key, entry: $0.value) }.sorted { $0.entry.nanoseconds > $1.entry.nanoseconds }
  }

  /// Runs one GEMM `body` of `flops` operations, counting it in `Gemm.flopCount` and, when recording, under
  /// the key `shape()`.
  static func measure(flops: Int, _ shape: () -> String, _ body: () -> Void) {
    Gemm.flopCount.add(flops, ordering: .relaxed)
    guard enabled.load(ordering: .relaxed) else { return body() }
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    let ns = DispatchTime.now().uptimeNanoseconds - t0, key = shape()
    table.withLock {
      $0[key, default: Entry()].calls += 1
      $0[key, default: Entry()].nanoseconds += ns
      $0[key, default: Entry()].flops += flops
    }
  }
}
