import ArgumentParser
import Foundation
import HyperTensor

struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the compute backend: kernel instruction set, GEMM tiles, threads, buffer cache.")

  func run() {
    print("hyperinr \(HyperINR.version)")
    print("compute backend: CPU, kernels \(ComputeBackend.isaName)")
    print("GEMM tiles:      \(ComputeBackend.gemmTiles)")
    print("threads:         \(Parallel.threads)\(ProcessInfo.processInfo.environment["HYPERINR_THREADS"] != nil ? " (HYPERINR_THREADS)" : " (online cores)")")
    print("GEMM blocking:   MC \(Gemm.blocking.mc), KC \(Gemm.blocking.kc), NC \(Gemm.blocking.nc)")
    print("buffer cache:    up to \(BufferPool.shared.limitBytes >> 20) MiB")
  }
}
