import Foundation
import HyperNN
import HyperTensor

/// `hyperinr-bench core`: SGEMM, the W1 INR training step and a transformer layer, each against PyTorch.
struct CoreBenchmarks {
  let runs: Int
  let threads: [Int]
  let reference: Reference?

  func run() {
    sgemm()
    w1()
    transformer()
  }

  /// (a) SGEMM GFLOP/s, one and two threads, per layout; also with the baseline (non-AVX2) kernels once.
  func sgemm() {
    print("\n== SGEMM (GFLOP/s; ratio = PyTorch time / HyperINR time) ==")
    let cases: [(String, Int, Int, Int)] = [("NN", 65536, 256, 256), ("TN", 65536, 256, 256), ("NT", 65536, 256, 256),
                                             ("NN", 400, 3072, 768)]
    for t in threads {
      Parallel.threads = t
      for (layout, m, n, k) in cases {
        let tA = layout.first == "T", tB = layout.last == "T"
        var rng = RandomGenerator(seed: 1)
        let a = Tensor.uniform(tA ? [k, m] : [m, k], rng: &rng), b = Tensor.uniform(tB ? [n, k] : [k, n], rng: &rng)
        let ours = Measure.median(runs: max(runs, 5)) { _ = a.matmul(b, transposeA: tA, transposeB: tB) }
        let flops = 2.0 * Double(m * n * k)
        let ref = reference?.best("sgemm_torch.py", ["\(m)", "\(n)", "\(k)", layout, "\(t)"], threads: t, compilable: false)
        reportLine("SGEMM \(layout) \(m)x\(n)x\(k) t=\(t)", ours: ours, reference: ref, extra: peakShare(flops: flops, ms: ours.median, threads: t))
      }
    }
    Parallel.threads = threads.max() ?? 1
    var rng = RandomGenerator(seed: 1)
    let a = Tensor.uniform([4096, 256], rng: &rng), b = Tensor.uniform([256, 256], rng: &rng)
    let active = ComputeBackend.isa
    for isa in ComputeBackend.supported.reversed() where isa != active {
      ComputeBackend.select(isa)
      let time = Measure.median(runs: 9) { _ = a.matmul(b) }.median
      print(String(format: "SGEMM NN 4096x256x256 %@ kernels t=%d: %.1f GFLOP/s (a variant not in use)",
                   isa.name, Parallel.threads, 2.0 * 4096 * 256 * 256 / time / 1e6))
    }
    ComputeBackend.select(active)
  }

  /// (b) W1: one training step of a ReLU INR with positional encoding, 65,536 coordinates.
  func w1() {
    print("\n== W1: ReLU INR training step (65,536 coords, PE 40 -> 4 x 256 -> 3, MSE, Adam; 80.3 GFLOP of GEMM) ==")
    let side = 256
    var coords = [Float](repeating: 0, count: side * side * 2)
    for i in 0..<side { for j in 0..<side {
      coords[2 * (i * side + j)] = -1 + 2 * Float(i) / Float(side - 1)
      coords[2 * (i * side + j) + 1] = -1 + 2 * Float(j) / Float(side - 1)
    } }
    let c = Tensor(shape: [side * side, 2], scalars: coords)
    let pe = PositionalEncoding.features(c, frequencies: 10)
    let r = (c * c).sum(axis: 1).sqrt()
    let target = Tensor.stack([(r * 8).sin() * 0.5 + 0.5, (c.slice(axis: 1, 1, 2).reshaped([-1]) * 5).cos() * 0.5 + 0.5,
                               c.slice(axis: 1, 0, 1).reshaped([-1]).mask(greater: Tensor(scalar: 0))], axis: 1)
    for t in threads {
      Parallel.threads = t
      var rng = RandomGenerator(seed: 0)
      let mlp = MLP([40, 256, 256, 256, 256, 3], activation: .relu, rng: &rng)
      let opt = Adam(learningRate: 1e-4)
      let ours = Measure.median(runs: max(runs, 5), warmup: 3) { opt.minimize(mlp) { Loss.mse(mlp(pe), target) } }
      reportLine("W1 t=\(t)", ours: ours, reference: reference?.best("w1_torch.py", ["\(t)"], threads: t),
                 extra: peakShare(flops: 80.3e9, ms: ours.median, threads: t))
      printProfile("W1", threads: t) { opt.minimize(mlp) { Loss.mse(mlp(pe), target) } }
    }
  }

  /// (c) One pre-LN transformer encoder layer, 8 x 128 tokens, dim 256, 4 heads: forward + backward.
  func transformer() {
    print("\n== Transformer: pre-LN encoder layer, 8 x 128 x 256, 4 heads, forward + backward ==")
    for t in threads {
      Parallel.threads = t
      var rng = RandomGenerator(seed: 0)
      let layer = TransformerEncoderLayer(dim: 256, heads: 4, rng: &rng)
      let x = Tensor.normal([8, 128, 256], rng: &rng)
      let flops = Measure.gemmFlops { _ = valueAndGradients(of: layer) { layer(x).square().mean() } }
      let ours = Measure.median(runs: max(runs, 5), warmup: 2) { _ = valueAndGradients(of: layer) { layer(x).square().mean() } }
      reportLine("Transformer layer t=\(t)", ours: ours, reference: reference?.best("transformer_torch.py", ["\(t)"], threads: t),
                 extra: peakShare(flops: flops, ms: ours.median, threads: t))
      printProfile("transformer layer", threads: t) { _ = valueAndGradients(of: layer) { layer(x).square().mean() } }
    }
  }
}
