"""Shared helpers of the PyTorch reference benchmarks: thread setup and median timing.
Each script prints one line `name,threads,median_ms,min_ms,extra` for hyperinr-bench to parse."""
import sys
import time


def setup_torch(threads):
    import torch
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    return torch


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
