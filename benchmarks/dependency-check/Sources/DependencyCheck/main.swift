import Dispatch
import HyperTensor

// SGEMM 65536x256x256 NN through HyperINR built as a dependency: median of 7 runs, 1 and 2 threads.
var rng = RandomGenerator(seed: 1)
let a = Tensor.uniform([65536, 256], rng: &rng), b = Tensor.uniform([256, 256], rng: &rng)
print("HyperTensor as a dependency: kernels \(ComputeBackend.isaName)")
for t in [1, 2] {
  Parallel.threads = t
  var ts: [Double] = []
  for _ in 0..<9 {
    let t0 = DispatchTime.now().uptimeNanoseconds
    _ = a.matmul(b)
    ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
  }
  ts.sort()
  print("SGEMM NN 65536x256x256 t=\(t): \(Int(2.0 * 65536 * 256 * 256 / ts[4] / 1e9)) GFLOP/s")
}
