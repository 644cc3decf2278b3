import HyperTensor
import Foundation
let m = Int(CommandLine.arguments[1])!, n = Int(CommandLine.arguments[2])!, k = Int(CommandLine.arguments[3])!
var rng = RandomGenerator(seed: 1)
let a = Tensor.uniform([m, k], rng: &rng), b = Tensor.uniform([k, n], rng: &rng)
for th in [1, 2] {
  Parallel.threads = th
  var ts: [Double] = []
  for _ in 0..<7 { let t0 = Date(); _ = a.matmul(b); ts.append(Date().timeIntervalSince(t0)) }
  ts.sort()
  print(th, 2.0 * Double(m * n * k) / ts[3] / 1e9)
}
