import Foundation

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
}

/// Runs the PyTorch reference scripts of benchmarks/reference when `import torch` works.
struct Reference {
  let python: String
  let scriptDir: URL

  /// Finds a Python with torch: $HYPERINR_PYTHON, ./.venv-ref/bin/python, then python3. Nil (with the
  /// reason in `why`) when none imports torch.
  static func locate(why: inout String) -> Reference? {
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
    for c in candidates {
      let parts = c.split(separator: " ").map(String.init)
      if let out = run(parts + ["-c", "import torch; print(torch.__version__)"], env: [:]), !out.isEmpty {
        return Reference(python: c, scriptDir: scripts)
      }
    }
    why = "no Python with torch (set HYPERINR_PYTHON, or: python3 -m venv .venv-ref && .venv-ref/bin/pip install torch)"
    return nil
  }

  var version: String {
    Reference.run(python.split(separator: " ").map(String.init) + ["-c", "import torch; print(torch.__version__)"], env: [:])?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
  }

  /// Runs `script args` and returns the median milliseconds it reports (CSV `name,threads,median,min,...`).
  func median(_ script: String, _ args: [String], threads: Int, thp: Bool) -> Double? {
    var env = ["OMP_NUM_THREADS": String(threads), "MKL_NUM_THREADS": String(threads)]
    if thp { env["THP_MEM_ALLOC_ENABLE"] = "1" }
    let cmd = python.split(separator: " ").map(String.init) + [scriptDir.appendingPathComponent(script).path] + args
    guard let out = Reference.run(cmd, env: env) else { return nil }
    guard let line = out.split(separator: "\n").last else { return nil }
    let fields = line.split(separator: ",")
    return fields.count >= 3 ? Double(fields[2]) : nil
  }

  static func run(_ argv: [String], env: [String: String]) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/env")
    p.arguments = argv[0].hasPrefix("/") ? Array(argv.dropFirst()) : argv
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
  }
}

/// One comparison line: `NAME ... HyperINR X ms | PyTorch Y ms | ratio R`.
func reportLine(_ name: String, ours: Double, reference: Double?, extra: String = "") {
  var line = "\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) HyperINR \(fmt(ours)) ms"
  if !extra.isEmpty { line += " (\(extra))" }
  if let r = reference {
    line += " | PyTorch \(fmt(r)) ms | ratio \(String(format: "%.2f", r / ours))"
  } else {
    line += " | PyTorch skipped"
  }
  print(line)
}

func fmt(_ ms: Double) -> String { String(format: ms < 10 ? "%.3f" : "%.1f", ms) }

func fmtDuration(_ seconds: Double) -> String {
  seconds >= 60 ? String(format: "%.0f min %02.0f s", (seconds / 60).rounded(.down), seconds.truncatingRemainder(dividingBy: 60)) : String(format: "%.1f s", seconds)
}
