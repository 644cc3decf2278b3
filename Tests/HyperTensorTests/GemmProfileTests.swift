import CKernels
import XCTest
import HyperTensor

/// The GEMM accounting behind hyperinr-bench's peak shares and --profile, and the FMA peak probe.
final class GemmProfileTests: XCTestCase {
  override func tearDown() { ComputeBackend.selectBest() }

  func testProfileRecordsEachShapeAndTheFlopCount() {
    let a = [Float](repeating: 1, count: 64), b = [Float](repeating: 2, count: 64)
    var c = [Float](repeating: 0, count: 64)
    let before = Gemm.flopCount.load(ordering: .relaxed)
    GemmProfile.start()
    for _ in 0..<2 { Gemm.sgemm(transA: false, transB: false, m: 3, n: 4, k: 5, a: a, lda: 5, b: b, ldb: 4, c: &c, ldc: 4) }
    Gemm.sgemmBatched(batch: 2, transA: true, transB: false, m: 2, n: 3, k: 4, a: a, lda: 2, strideA: 8,
                      b: b, ldb: 3, strideB: 12, c: &c, ldc: 3, strideC: 6)
    let entries = GemmProfile.stop()
    let after = Gemm.flopCount.load(ordering: .relaxed)
    XCTAssertEqual(entries.map(\.shape).sorted(), ["2 x TN 2x3x4", "NN 3x4x5"])
    let nn = entries.first { $0.shape == "NN 3x4x5" }?.entry, batched = entries.first { $0.shape == "2 x TN 2x3x4" }?.entry
    XCTAssertEqual(nn?.calls, 2)
    XCTAssertEqual(nn?.flops, 2 * 2 * 3 * 4 * 5)
    XCTAssertEqual(batched?.calls, 1)
    XCTAssertEqual(batched?.flops, 2 * 2 * 2 * 3 * 4)
    XCTAssertEqual(c[0], 8, "the batched product still ran: 4 terms of 1 x 2")
    // Other tests may run GEMMs concurrently, so the counter grew by at least these products' operations.
    XCTAssertGreaterThanOrEqual(after - before, 2 * 2 * 3 * 4 * 5 + 2 * 2 * 2 * 3 * 4)
    Gemm.sgemm(transA: false, transB: false, m: 3, n: 4, k: 5, a: a, lda: 5, b: b, ldb: 4, c: &c, ldc: 4)
    XCTAssertTrue(GemmProfile.stop().isEmpty, "nothing is recorded once stopped")
  }

  /// The probe really runs its 12 chains x(i+1) = 0.999 x(i) + 1e-4 on every lane: its return value is
  /// their sum over lanes, on each variant (fused or not, within rounding).
  func testFMAProbeComputesItsChains() {
    let iters = 1000
    var chains = 0.0
    for i in 0..<12 {
      var x = Double(i)
      for _ in 0..<iters { x = x * Double(Float(0.999)) + Double(Float(1e-4)) }
      chains += x
    }
    for isa in ComputeBackend.supported {
      XCTAssertTrue(ComputeBackend.select(isa))
      for wide in [Int32(0), 1] {
        let width = wide == 1 && isa == .avx512 ? 16.0 : 8.0
        let got = Double(hk_fma_probe(iters, wide))
        XCTAssertEqual(got, width * chains, accuracy: 1e-3 * width * chains, "\(isa.name) wide \(wide)")
      }
    }
    XCTAssertGreaterThan(ComputeBackend.fmaPeakGFLOPS(threads: 1), 0)
  }
}
