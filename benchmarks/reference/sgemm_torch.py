"""SGEMM reference: python3 sgemm_torch.py M N K LAYOUT THREADS  (LAYOUT: NN, TN or NT)."""
import sys
from common import setup_torch, median_ms, report

m, n, k, layout, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
torch = setup_torch(threads)
a = torch.rand(k, m) if layout[0] == "T" else torch.rand(m, k)
b = torch.rand(n, k) if layout[1] == "T" else torch.rand(k, n)
opa = a.t() if layout[0] == "T" else a
opb = b.t() if layout[1] == "T" else b
c = torch.empty(m, n)
med, mn = median_ms(lambda: torch.mm(opa, opb, out=c), runs=9)
report(f"sgemm-{layout}", threads, med, mn, f"{2 * m * n * k / med / 1e6:.1f} GFLOP/s")
