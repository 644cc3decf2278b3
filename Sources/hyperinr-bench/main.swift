import Foundation
import HyperTensor
import NeuralFields

/// hyperinr-bench SUITE [--runs N] [--threads 1,2] [--only W] [--eager] [--no-reference]
let usage = """
  usage: hyperinr-bench core|fields|transinr [--runs N] [--threads 1,2] [--only sgemm|w1|transformer|w2|w5|d1|w3|w4|w6]
                        [--eager] [--profile] [--no-reference]

  Suites:
    core   SGEMM (65536x256x256 NN/TN/NT, 400x768x3072), W1 (ReLU INR training step), transformer layer
    fields W2 (COIN SIREN full-batch step on a 768x512 image), W5 (NeRF training step and 64x64 view render),
           D1 (D'OH encoding breakdown)
    transinr W3 (Trans-INR training step at configs/transinr-emoji.yaml; --only w3 runs W3 and W4), W4 (encode/decode latency),
           W6 (IPC training step at configs/ipc-emoji.yaml)

  Each workload reports the median of at least 5 runs. When a Python with torch is found
  ($HYPERINR_PYTHON, ./.venv-ref/bin/python or python3), the PyTorch reference in benchmarks/reference
  runs the same computation in the same invocation with the same thread count, and the line ends with
  ratio = PyTorch ms / HyperINR ms of the medians (in brackets, of the fastest runs: on a machine shared
  with other load the minima are the steadier comparison). PyTorch runs eager with its default allocator,
  eager with THP_MEM_ALLOC_ENABLE=1, and under torch.compile (inductor; the first call compiles, about a
  minute, and is not timed); the fastest counts and the line names it. --eager skips the compiled variant.

  HYPERINR_ISA=avx2 runs HyperINR on its AVX2 kernels and caps PyTorch likewise (ATEN_CPU_CAPABILITY,
  ONEDNN_MAX_CPU_ISA, DNNL_MAX_CPU_ISA, MKL_ENABLE_INSTRUCTIONS); the header prints the ISA torch reports.
  An FMA probe measures the machine's peak per thread count first; GEMM-bound lines print their share of it.
  --profile adds, under each training-step line, its GEMMs by layout and shape and the time outside them.
  """

let problems = EnvironmentSettings.problems
for problem in problems { FileHandle.standardError.write(Data("hyperinr-bench: error: \(problem)\n".utf8)) }
if !problems.isEmpty { exit(2) }
var args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  defer { args.removeSubrange(i...(i + 1)) }
  return args[i + 1]
}
let runs = option("--runs").flatMap(Int.init) ?? 5
let threads = option("--threads").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 2]
let only = option("--only")
let noRef = args.contains("--no-reference"), eager = args.contains("--eager")
profiling = args.contains("--profile")
args.removeAll { $0 == "--no-reference" || $0 == "--eager" || $0 == "--profile" }
guard let suite = args.first, args.count == 1, ["core", "fields", "transinr"].contains(suite), !threads.isEmpty, threads.allSatisfy({ $0 > 0 }) else {
  FileHandle.standardError.write(Data((usage + "\n").utf8))
  exit(args.first == "--help" || args.first == "-h" ? 0 : 2)
}

print("HyperINR bench: kernels \(ComputeBackend.isaName) (GEMM tiles \(ComputeBackend.gemmTiles)), threads \(threads)")
if threads.contains(where: { $0 > Parallel.onlineCores }) {
  print("note: HyperINR runs at most \(Parallel.onlineCores) threads (one per online core); a larger t splits the work into t parts")
}
for t in threads { fmaPeak[t] = ComputeBackend.fmaPeakGFLOPS(threads: min(t, Parallel.onlineCores)) }
print("FMA peak (\(ComputeBackend.isaName) GEMM vectors): " + threads.map { String(format: "t=%d %.1f GFLOP/s", $0, fmaPeak[$0] ?? 0) }
  .joined(separator: ", ") + (threads.count > 1 ? String(format: " (%.2fx scaling)", (fmaPeak[threads.last!] ?? 0) / max(fmaPeak[threads[0]] ?? 1, 1e-9)) : ""))
if let t1 = fmaPeak[1], let top = fmaPeak.max(by: { $0.key < $1.key }), top.key > 1,
   top.value < 0.75 * Double(min(top.key, Parallel.onlineCores)) * t1 {
  print("warning: the FMA probe scales only \(String(format: "%.2f", top.value / t1))x to \(top.key) threads: another load shares the cores, so multi-thread figures of this run are unreliable")
}
var why = ""
let reference = noRef ? nil : Reference.locate(compiled: !eager, why: &why)
if let r = reference { print("reference: \(r.description)") } else {
  print("reference: skipped — \(noRef ? "--no-reference" : why)")
}
if suite == "transinr" {
  let g = GeneralizableBenchmarks(runs: runs, threads: threads, reference: reference)
  switch only {
  case nil: g.run()
  case "w3": g.transINR()
  case "w4": g.transINR(trainingStep: false)
  case "w6": g.ipc()
  case let other?:
    FileHandle.standardError.write(Data("hyperinr-bench: unknown workload '\(other)' for --only (expected w3, w4 or w6)\n".utf8))
    exit(2)
  }
  exit(0)
}
if suite == "fields" {
  let f = FieldBenchmarks(runs: runs, threads: threads, reference: reference)
  switch only {
  case nil: f.run()
  case "w2": f.w2()
  case "w5": f.w5()
  case "d1": f.d1()
  case let other?:
    FileHandle.standardError.write(Data("hyperinr-bench: unknown workload '\(other)' for --only (expected w2, w5 or d1)\n".utf8))
    exit(2)
  }
  exit(0)
}
let core = CoreBenchmarks(runs: runs, threads: threads, reference: reference)
switch only {
case nil: core.run()
case "sgemm": core.sgemm()
case "w1": core.w1()
case "transformer": core.transformer()
case let other?:
  FileHandle.standardError.write(Data("hyperinr-bench: unknown workload '\(other)' for --only (expected sgemm, w1 or transformer)\n".utf8))
  exit(2)
}
