import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Thread configuration of the CPU kernels. Every kernel splits its work into at most `threads` chunks.
public enum Parallel {
  /// Online cores: the default worker count, and the most threads `run` ever uses.
  public static let onlineCores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

  /// Worker count: `HYPERINR_THREADS` if set, else the number of online cores.
  nonisolated(unsafe) public static var threads: Int = EnvironmentSettings.threads ?? onlineCores

  /// Runs `body` over `0..<count` split into contiguous ranges, one per worker (at most `workers`), when
  /// the work is large enough (`count >= minPerThread * 2`); otherwise on the calling thread.
  public static func forEachChunk(_ count: Int, minPerThread: Int = 32768, align: Int = 8, workers: Int = threads,
                                  _ body: (Range<Int>) -> Void) {
    let t = min(workers, count / max(1, minPerThread))
    if t <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    let per = ((count + t - 1) / t + align - 1) / align * align
    run(t, workers: t) { i in
      let lo = min(count, i * per), hi = min(count, lo + per)
      if lo < hi { body(lo..<hi) }
    }
  }

  /// Runs `body(i)` for i in 0..<n on up to `threads` workers.
  public static func forEach(_ n: Int, _ body: (Int) -> Void) {
    let t = min(threads, n)
    let per = t > 0 ? (n + t - 1) / t : 0
    run(t, workers: t) { w in
      for i in (w * per)..<min(n, (w + 1) * per) { body(i) }
    }
  }

  /// Runs `body(i)` for i in 0..<iterations, each exactly once, on the calling thread and up to `workers - 1`
  /// persistent worker threads (`WorkerPool`; never more threads than online cores); returns when all are
  /// done. Iterations are claimed one at a time, so there may be more of them than threads. Calls made from
  /// inside a body run serially.
  public static func run(_ iterations: Int, workers: Int = threads, _ body: (Int) -> Void) {
    WorkerPool.shared.run(iterations, threads: workers, body)
  }
}

/// What the CPU kernels run on.
public enum ComputeBackend {
  /// Instruction-set variants of the kernels (AVX-512 differs from AVX2 in the GEMM only).
  public enum ISA: Int32, CaseIterable, Sendable {
    case baseline = 0, avx2 = 1, avx512 = 2
    public var name: String { ["baseline", "avx2+fma", "avx512"][Int(rawValue)] }
  }
  /// The variant in use.
  public static var isa: ISA { ISA(rawValue: hk_active_isa()) ?? .baseline }
  /// "avx512", "avx2+fma" or "baseline".
  public static var isaName: String { isa.name }
  /// The variants this CPU can run, slowest first.
  public static var supported: [ISA] { ISA.allCases.filter { $0.rawValue <= hk_best_isa() } }
  /// The GEMM micro-kernels' register tiles, e.g. "6x64 (>= 64 columns), 6x16".
  public static var gemmTiles: String {
    let narrow = "\(HK_GEMM_MR)x\(HK_GEMM_NR)"
    return hk_gemm_has_wide() != 0 ? "\(HK_GEMM_MR)x\(HK_GEMM_WIDE_NR) (>= \(HK_GEMM_WIDE_NR) columns), \(narrow)" : narrow
  }
  /// Selects a variant this CPU supports (returns false, changing nothing, otherwise).
  @discardableResult public static func select(_ isa: ISA) -> Bool { hk_select_isa(isa.rawValue) != 0 }
  /// The machine's FMA throughput in GFLOP/s on the active variant's GEMM vectors with `threads` workers,
  /// each running independent FMA chains (the ceiling a GEMM could reach; best of five ~0.1 s rounds).
  public static func fmaPeakGFLOPS(threads: Int) -> Double {
    let wide: Int32 = hk_gemm_has_wide(), iters = 10_000_000
    let flops = Double(threads * 2 * 12 * (wide != 0 ? 16 : 8) * iters)
    var best = 0.0
    for _ in 0..<5 {
      let t0 = DispatchTime.now().uptimeNanoseconds
      Parallel.run(threads, workers: threads) { _ in _ = hk_fma_probe(iters, wide) }
      best = max(best, flops / Double(DispatchTime.now().uptimeNanoseconds - t0))
    }
    return best
  }
  /// Selects the best variant this CPU supports.
  public static func selectBest() { _ = hk_select_isa(hk_best_isa()) }
}
