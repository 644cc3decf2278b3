"""Where the time of one hyperinr-bench workload goes, by kind of work, from a `perf record` sample.

usage: python3 benchmarks/profile.py SUITE WORKLOAD [THREADS] [RUNS]
  e.g. HYPERINR_ISA=avx2 python3 benchmarks/profile.py core w1 1
Runs `.build/release/hyperinr-bench SUITE --only WORKLOAD --no-reference --threads THREADS --runs RUNS`
(build it first: swift build -c release) under `perf record`, then groups the sampled functions into the
categories below and prints a Markdown table. The start-up FMA probe is left out; everything else the
process does (model set-up included, small next to RUNS steps) counts. Needs Linux `perf`.
"""
import os
import re
import subprocess
import sys
import tempfile

# (category, pattern on the symbol name), first match wins.
CATEGORIES = [
    ("FMA probe (start-up, left out)", r"fma_probe"),
    ("GEMM micro-kernel and packing", r"^(sgemm|micro|pack_[ab])_(avx512|avx2|base)"),
    ("GEMM: narrow kernel (<= 6 output columns)", r"sgemm_narrow"),
    ("GEMM: row copies of packed A (memcpy)", r"memmove|memcpy"),
    ("Adam update", r"^adam_"),
    ("GELU, exp, erf and other transcendentals", r"^unary_|gelu_erf_backward"),
    ("ReLU gate and bias-gradient column sums", r"relu_gate|colsum"),
    ("layer norm", r"layernorm"),
    ("softmax (forward and backward)", r"softmax"),
    ("elementwise arithmetic (broadcast)", r"Broadcast|BinaryKernel"),
    ("sums and finiteness checks", r"^sum_|sumsq|all_finite|isAllFinite"),
    ("shape copies (permute, slice, concat)", r"permuted|slice|concat|gather|scatter"),
    ("allocation and page faults", r"clear_page|page_fault|malloc|_int_free|free$|folio|BufferPool|mmap"),
    ("thread wake-ups and waiting", r"futex|WorkerPool|pthread_cond|sched_|__schedule"),
    ("Swift runtime (retain/release, dictionaries)", r"swift_|^\$ss"),
]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    suite, workload = sys.argv[1], sys.argv[2]
    threads = sys.argv[3] if len(sys.argv) > 3 else "1"
    runs = sys.argv[4] if len(sys.argv) > 4 else "20"
    bench = os.path.join(".build", "release", "hyperinr-bench")
    if not os.path.exists(bench):
        sys.exit("profile.py: .build/release/hyperinr-bench not found (run from the package root after swift build -c release)")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = ["perf", "record", "-q", "-o", data, bench, suite, "--only", workload, "--no-reference",
               "--threads", threads, "--runs", runs]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            sys.exit("profile.py: perf not found (Debian: apt install linux-perf)")
        if run.returncode != 0:
            sys.exit(f"profile.py: {' '.join(cmd)} failed:\n{run.stderr}")
        lines = [l for l in run.stdout.splitlines() if " t=" in l and "HyperINR" in l]
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio", "-q"],
                                capture_output=True, text=True).stdout
    shares = {name: 0.0 for name, _ in CATEGORIES}
    other = {}
    for line in report.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+\[[.k]\]\s+(.+?)\s*$", line)
        if not m:
            continue
        pct, sym = float(m.group(1)), m.group(2)
        for name, pattern in CATEGORIES:
            if re.search(pattern, sym):
                shares[name] += pct
                break
        else:
            other[sym] = other.get(sym, 0.0) + pct
    probe = shares.pop(CATEGORIES[0][0])
    total = 100.0 - probe
    isa = os.environ.get("HYPERINR_ISA", "default")
    print(f"{workload} at t={threads}, kernels {isa}, {runs} timed steps:")
    for l in lines:
        print("  " + l.strip())
    print("\n| work | share of samples |\n|---|---|")
    for name, pct in sorted(shares.items(), key=lambda kv: -kv[1]):
        if pct >= 0.05:
            print(f"| {name} | {100 * pct / total:.1f} % |")
    rest = sum(other.values())
    top = ", ".join(f"{s[:40]} {100 * p / total:.1f} %" for s, p in sorted(other.items(), key=lambda kv: -kv[1])[:3])
    print(f"| everything else ({top}) | {100 * rest / total:.1f} % |")


if __name__ == "__main__":
    main()
