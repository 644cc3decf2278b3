import Foundation
import HyperTensor

/// Timing helpers: medians of repeated runs after warm-up.
enum Measure {
  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

  /// Median and minimum wall time in milliseconds of `runs` calls after `warmup` calls.
  static func median(runs: Int, warmup: Int = 2, _ body: () -> Void) -> (median: Double, min: Double) {
    for _ in 0..<warmup { body() }
    var ts: [Double] = []
    for _ in 0..<max(runs, 1) {
      let t0 = now()
      body()
      ts.append((now() - t0) * 1e3)
    }
    ts.sort()
    return (ts[ts.count / 2], ts[0])
  }

  /// GEMM floating-point operations of one call of `body` (counted by `Gemm.flopCount`).
  static func gemmFlops(_ body: () -> Void) -> Double {
    let before = Gemm.flopCount.load(ordering: .relaxed)
    body()
    return Double(Gemm.flopCount.load(ordering: .relaxed) - before)
  }
}

/// `--profile`: the GEMMs of one more call of `body` by layout and shape (calls, time, GFLOP/s, share of the
/// FMA peak), and the step's time outside them.
nonisolated(unsafe) var profiling = false

func printProfile(_ label: String, threads: Int, _ body: () -> Void) {
  guard profiling else { return }
  GemmProfile.start()
  let t0 = Measure.now()
  body()
  let total = (Measure.now() - t0) * 1e3
  let entries = GemmProfile.stop()
  let gemm = entries.reduce(0.0) { $0 + Double($1.entry.nanoseconds) / 1e6 }
  print(String(format: "  profile of one %@ step at t=%d: %.1f ms, GEMM %.1f ms (%.0f %%), other %.1f ms", label, threads, total, gemm,
               100 * gemm / total, total - gemm))
  for (shape, e) in entries.prefix(14) {
    let ms = Double(e.nanoseconds) / 1e6
    print("    " + shape.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(format: " %4d calls %7.2f ms  %@", e.calls, ms, peakShare(flops: Double(e.flops), ms: ms, threads: threads)))
  }
  if entries.count > 14 {
    let rest = entries.dropFirst(14).reduce(0.0) { $0 + Double($1.entry.nanoseconds) / 1e6 }
    print(String(format: "    %d more shapes %.2f ms", entries.count - 14, rest))
  }
}

/// The machine's FMA peak (GFLOP/s) per thread count, measured once at start-up by `ComputeBackend.fmaPeakGFLOPS`.
nonisolated(unsafe) var fmaPeak: [Int: Double] = [:]

/// "N GFLOP/s, P % of FMA peak" for `flops` of GEMM work done in `ms` with `threads` workers (for a workload
/// with work besides GEMM, the share its GEMMs alone would reach in the whole step's time).
func peakShare(flops: Double, ms: Double, threads: Int) -> String {
  let gflops = flops / ms / 1e6
  guard let peak = fmaPeak[threads], peak > 0 else { return String(format: "%.1f GFLOP/s", gflops) }
  return String(format: "%.2f GFLOP, %.1f GFLOP/s, %.0f %% of FMA peak", flops / 1e9, gflops, 100 * gflops / peak)
}

/// PyTorch's time for one workload: the fastest of the variants it ran in, and each variant's own time.
struct ReferenceTime {
  let ms: Double
  /// The fastest single run of any variant.
  let minMs: Double
  let variant: String
  let variants: [(name: String, ms: Double?, failure: String)]

  /// "eager THP; eager 360.1, compiled 472.6": the winner first, then every variant's median (or how it failed).
  var summary: String {
    variant + "; " + variants.map { "\($0.name) \($0.ms.map { fmt($0) } ?? $0.failure)" }.joined(separator: ", ")
  }
}

/// Runs the PyTorch reference scripts of benchmarks/reference when `import torch` works.
struct Reference {
  let python: String
  let scriptDir: URL
  /// Also run torch.compile (inductor); `--eager` turns it off.
  let compiled: Bool
  /// Environment that holds PyTorch to the ISA HyperINR runs on (set when HyperINR is on its AVX2 kernels).
  let caps: [String: String]

  /// Finds a Python with torch: $HYPERINR_PYTHON, ./.venv-ref/bin/python, then python3. Nil (with the
  /// reason in `why`) when none imports torch.
  static func locate(compiled: Bool, why: inout String) -> Reference? {
    let env = ProcessInfo.processInfo.environment
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let scripts = cwd.appendingPathComponent("benchmarks/reference")
    guard FileManager.default.fileExists(atPath: scripts.appendingPathComponent("common.py").path) else {
      why = "benchmarks/reference not found (run from the package root)"
      return nil
    }
    var candidates: [String] = []
    if let p = env["HYPERINR_PYTHON"] { candidates.append(p) }
    candidates.append(cwd.appendingPathComponent(".venv-ref/bin/python").path)
    candidates.append("/usr/bin/env python3")
    let caps = ComputeBackend.isa == .avx2
      ? ["ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"]
      : [:]
    for c in candidates {
      let parts = c.split(separator: " ").map(String.init)
      if let out = run(parts + ["-c", "import torch; print(torch.__version__)"], env: [:]), !out.isEmpty {
        return Reference(python: c, scriptDir: scripts, compiled: compiled, caps: caps)
      }
    }
    why = "no Python with torch (set HYPERINR_PYTHON, or: python3 -m venv .venv-ref && .venv-ref/bin/pip install torch)"
    return nil
  }

  /// One header line: torch's version and the ISA its ATen kernels and inductor's code generation use under
  /// `caps`, with a warning when a cap did not hold.
  var description: String {
    let out = Reference.run(python.split(separator: " ").map(String.init) + [scriptDir.appendingPathComponent("common.py").path], env: caps)?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    let f = out.split(separator: ",").map(String.init)
    guard f.count == 3 else { return "PyTorch ? (\(python)): common.py did not report its ISA" }
    var line = "PyTorch \(f[0]) (\(python)): ATen \(f[1]), inductor \(f[2])"
    if !caps.isEmpty {
      line += "; capped to AVX2 by " + caps.keys.sorted().joined(separator: ", ") + " (MKL does not report its code path)"
      if f[1].uppercased() != "AVX2" { line += " — warning: ATen did not take the cap" }
    }
    return line + (compiled ? "; eager and torch.compile" : "; eager only (--eager)")
  }

  /// Runs `script args` in each variant (eager with the default allocator, eager with THP_MEM_ALLOC_ENABLE=1,
  /// and compiled unless `compilable` is false or `--eager`) and keeps the fastest.
  func best(_ script: String, _ args: [String], threads: Int, compilable: Bool = true) -> ReferenceTime? {
    var runs: [(String, [String: String])] = [("eager", [:]), ("eager THP", ["THP_MEM_ALLOC_ENABLE": "1"])]
    if compiled && compilable { runs.append(("compiled", ["HYPERINR_TORCH_COMPILE": "1"])) }
    let timed = runs.map { name, extra in (name: name, result: timing(script, args, threads: threads, extra: extra)) }
    let variants = timed.map { (name: $0.name, ms: $0.result.ms?.median, failure: $0.result.failure) }
    guard let fastest = variants.filter({ $0.ms != nil }).min(by: { $0.ms! < $1.ms! }), let ms = fastest.ms,
          let minMs = timed.compactMap({ $0.result.ms?.min }).min() else { return nil }
    return ReferenceTime(ms: ms, minMs: minMs, variant: fastest.name, variants: variants)
  }

  /// Runs `script args`: the median and minimum milliseconds it reports (CSV `name,threads,median,min,...`),
  /// or nil and how it failed ("crashed (signal 11)", "failed (exit 1)").
  private func timing(_ script: String, _ args: [String], threads: Int, extra: [String: String])
    -> (ms: (median: Double, min: Double)?, failure: String) {
    var env = caps.merging(["OMP_NUM_THREADS": String(threads), "MKL_NUM_THREADS": String(threads)]) { $1 }
    env.merge(extra) { $1 }
    let cmd = python.split(separator: " ").map(String.init) + [scriptDir.appendingPathComponent(script).path] + args
    var failure = ""
    guard let out = Reference.run(cmd, env: env, failure: &failure) else { return (nil, failure) }
    let fields = out.split(separator: "\n").last?.split(separator: ",") ?? []
    guard fields.count >= 4, let med = Double(fields[2]), let mn = Double(fields[3]) else { return (nil, "printed no timing") }
    return ((med, mn), "")
  }

  static func run(_ argv: [String], env: [String: String]) -> String? {
    var failure = ""
    return run(argv, env: env, failure: &failure)
  }

  /// The standard output of `argv`, or nil with `failure` saying how it ended.
  static func run(_ argv: [String], env: [String: String], failure: inout String) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/env")
    p.arguments = argv[0].hasPrefix("/") ? Array(argv.dropFirst()) : argv
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch {
      failure = "did not start"
      return nil
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if p.terminationReason == .uncaughtSignal {
      failure = "crashed (signal \(p.terminationStatus))"
      return nil
    }
    if p.terminationStatus != 0 {
      failure = "failed (exit \(p.terminationStatus))"
      return nil
    }
    return String(decoding: data, as: UTF8.self)
  }
}

/// One comparison line: `NAME ... HyperINR X ms (extra) | PyTorch Y ms (variants) | ratio R (of minima Q)`:
/// R compares the medians; Q the fastest runs of both sides (what is left when another load on the machine
/// slows some runs down).
func reportLine(_ name: String, ours: (median: Double, min: Double), reference: ReferenceTime?, extra: String = "") {
  var line = "\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) HyperINR \(fmt(ours.median)) ms"
  if !extra.isEmpty { line += " (\(extra))" }
  if let r = reference {
    line += " | PyTorch \(fmt(r.ms)) ms (\(r.summary)) | ratio \(String(format: "%.2f", r.ms / ours.median))"
      + String(format: " (of minima %.2f)", r.minMs / ours.min)
  } else {
    line += " | PyTorch skipped"
  }
  print(line)
}

func fmt(_ ms: Double) -> String { String(format: ms < 10 ? "%.3f" : "%.1f", ms) }

func fmtDuration(_ seconds: Double) -> String {
  seconds >= 60 ? String(format: "%.0f min %02.0f s", (seconds / 60).rounded(.down), seconds.truncatingRemainder(dividingBy: 60)) : String(format: "%.1f s", seconds)
}
