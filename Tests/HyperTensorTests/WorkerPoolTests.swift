import Dispatch
import Foundation
import Glibc
import HyperTensor
import Synchronization
import XCTest

/// `Parallel.run` (the persistent worker pool): every iteration exactly once, across many short jobs,
/// nested calls, calls from several threads at once and changing worker counts.
final class WorkerPoolTests: XCTestCase {
  override func tearDown() { Parallel.threads = 2 }

  /// Counts how often each iteration ran.
  private final class Tally: @unchecked Sendable {
    let counts: UnsafeMutableBufferPointer<Atomic<Int>>
    init(_ n: Int) {
      counts = .allocate(capacity: n)
      for i in 0..<n { (counts.baseAddress! + i).initialize(to: Atomic(0)) }
    }
    func hit(_ i: Int) { counts[i].add(1, ordering: .relaxed) }
    var values: [Int] { (0..<counts.count).map { counts[$0].load(ordering: .relaxed) } }
    deinit { counts.deallocate() }
  }

  /// The threads that ran a job's iterations. An NSLock (pthread mutex) rather than Synchronization's
  /// Mutex: ThreadSanitizer does not see the futex under Mutex on Linux and reports the set as raced.
  private final class ThreadSet: @unchecked Sendable {
    private let lock = NSLock()
    private var ids = Set<UInt>()
    func insertCurrent() { lock.withLock { _ = ids.insert(UInt(pthread_self())) } }
    var count: Int { lock.withLock { ids.count } }
  }

  func testEveryIterationRunsOnceOverManyJobs() {
    for workers in [1, 2, 3, 4] {
      for n in [0, 1, 2, 3, 7, 64, 1000] {
        for _ in 0..<50 {
          let tally = Tally(n)
          Parallel.run(n, workers: workers) { tally.hit($0) }
          XCTAssertEqual(tally.values, [Int](repeating: 1, count: n), "\(n) iterations on \(workers) workers")
        }
      }
    }
  }

  func testUsesMoreThanOneThread() {
    let threads = ThreadSet()
    for _ in 0..<200 {
      Parallel.run(2, workers: 2) { _ in
        threads.insertCurrent()
        // Long enough that the caller cannot finish both iterations before a spinning worker claims one.
        let t0 = DispatchTime.now().uptimeNanoseconds
        while DispatchTime.now().uptimeNanoseconds - t0 < 200_000 {}
      }
    }
    XCTAssertGreaterThan(threads.count, 1)
  }

  func testNeverMoreThreadsThanCores() {
    let cores = Parallel.onlineCores
    for _ in 0..<50 {
      let threads = ThreadSet()
      Parallel.run(64, workers: cores + 3) { _ in
        threads.insertCurrent()
        let t0 = DispatchTime.now().uptimeNanoseconds
        while DispatchTime.now().uptimeNanoseconds - t0 < 20_000 {}
      }
      XCTAssertLessThanOrEqual(threads.count, cores)
    }
  }

  func testNestedCallsRunSerially() {
    let tally = Tally(8 * 8)
    Parallel.run(8, workers: 2) { i in
      Parallel.run(8, workers: 2) { j in tally.hit(i * 8 + j) }
    }
    XCTAssertEqual(tally.values, [Int](repeating: 1, count: 64))
  }

  func testCallsFromSeveralThreadsAtOnce() {
    let tallies = (0..<4).map { _ in Tally(100) }
    DispatchQueue.concurrentPerform(iterations: 4) { k in
      for _ in 0..<20 { Parallel.run(100, workers: 2) { tallies[k].hit($0) } }
    }
    for t in tallies { XCTAssertEqual(t.values, [Int](repeating: 20, count: 100)) }
  }

  func testParallelGemmAfterWorkerCountChanges() {
    var rng = RandomGenerator(seed: 3)
    let a = Tensor.uniform([300, 200], rng: &rng), b = Tensor.uniform([200, 150], rng: &rng)
    Parallel.threads = 1
    let reference = a.matmul(b).scalars
    for t in [4, 2, 3, 2] {
      Parallel.threads = t
      XCTAssertEqual(a.matmul(b).scalars, reference, "threads \(t)")
    }
  }
}
