"""Shared helpers of the PyTorch reference benchmarks: thread setup, the compiled variant and median timing.
Each script prints one line `name,threads,median_ms,min_ms,extra` for hyperinr-bench to parse.
`python3 common.py` prints what this torch runs on: `torch VERSION,ATen ISA,inductor ISA`."""
import os
import sys
import time


def setup_torch(threads):
    import torch
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    return torch


def maybe_compile(model):
    """`torch.compile(model)` (inductor, C++ code generation) when hyperinr-bench runs the compiled variant
    (HYPERINR_TORCH_COMPILE=1), else the eager model unchanged."""
    if os.environ.get("HYPERINR_TORCH_COMPILE") != "1":
        return model
    import torch
    return torch.compile(model)


def median_ms(fn, warmup=3, runs=7):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2], ts[0]


def report(name, threads, med, mn, extra=""):
    print(f"{name},{threads},{med:.3f},{mn:.3f},{extra}", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    import torch
    from torch._inductor import cpu_vec_isa
    isa = cpu_vec_isa.pick_vec_isa()
    print(f"{torch.__version__},{torch.backends.cpu.get_cpu_capability()},{isa if isa else 'none'}")
