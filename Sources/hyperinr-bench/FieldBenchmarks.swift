import Foundation
import HyperTensor
import NeuralFields
import Signals

/// `hyperinr-bench fields`: W2, one full-batch step of COIN's SIREN on a 768 x 512 image.
struct FieldBenchmarks {
  let runs: Int
  let threads: [Int]
  let reference: Reference?

  func run() { w2() }

  func w2() {
    print("\n== W2: COIN SIREN (10 x 28, w0 30) full-batch step on 768 x 512 (393,216 coords), fwd + bwd + Adam ==")
    let h = 512, w = 768
    let target = Tensor.build([h, w, 3]) { p, _ in
      for i in 0..<h { for j in 0..<w {
        p[(i * w + j) * 3] = 0.5 + 0.4 * Foundation.sin(Float(i) / 30)
        p[(i * w + j) * 3 + 1] = 0.5 + 0.4 * Foundation.cos(Float(j) / 20)
        p[(i * w + j) * 3 + 2] = 0.5
      } }
    }
    let signal = FieldSignal.image(Image(pixels: target))
    let net = HypoNet(kind: .siren, inputDim: 2, outputDim: 3, hiddenLayers: 10, width: 28, outputBias: 0.5)
    for t in threads {
      Parallel.threads = t
      let fitter = FieldFitter(net: net, settings: FitSettings(steps: Int.max, learningRate: 2e-4, batch: 0, seed: 0), signal: signal)
      let ours = Measure.median(runs: max(runs, 5), warmup: 2) { _ = try? fitter.trainStep() }.median
      let plain = reference?.median("w2_torch.py", ["\(t)"], threads: t, thp: false)
      let thp = reference?.median("w2_torch.py", ["\(t)"], threads: t, thp: true)
      reportLine("W2 t=\(t)", ours: ours, reference: [plain, thp].compactMap { $0 }.min(),
                 extra: String(format: "PyTorch default %@, THP_MEM_ALLOC_ENABLE=1 %@", plain.map { fmt($0) } ?? "-",
                               thp.map { fmt($0) } ?? "-"))
    }
  }
}
