import CKernels
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Persistent worker threads behind `Parallel.run`. A training step opens hundreds of short parallel
/// regions; waking a sleeping thread for each (as `DispatchQueue.concurrentPerform` does) costs a context
/// switch per region, so workers spin for `spinNanoseconds` after a job before they sleep.
///
/// One job at a time: its generation, next unclaimed iteration and iteration count share one atomic word,
/// so a claim (compare-and-swap) is valid only for the job it was read from. A call made while a job is
/// running (from inside a body, or from another thread) runs serially on its caller.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()
  /// How long an idle worker polls for the next job before it sleeps.
  static let spinNanoseconds: UInt64 = 200_000
  /// Iterations of one job are counted in 20 bits.
  static let maxIterations = (1 << 20) - 1

  private let job = Atomic<UInt64>(0)  // generation << 40 | next << 20 | count
  private let unfinished = Atomic<Int>(0)
  private let participants = Atomic<Int>(0)  // workers with index below this take part in the current job
  private let sleepers = Atomic<Int>(0)
  private let inUse = Atomic<Bool>(false)
  private var body: ((Int) -> Void)?  // set while a job runs; read only after a successful claim
  private var workers = 0  // threads started; touched only by the caller that holds `inUse`
  private var mutex = pthread_mutex_t()
  private var wake = pthread_cond_t()

  private init() {
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&wake, nil)
  }

  private static func generation(_ w: UInt64) -> UInt64 { w >> 40 }
  private static func next(_ w: UInt64) -> Int { Int((w >> 20) & 0xFFFFF) }
  private static func count(_ w: UInt64) -> Int { Int(w & 0xFFFFF) }

  /// Runs `body(i)` for i in 0..<n on the caller and up to `threads - 1` workers; returns when all are done.
  func run(_ n: Int, threads: Int, _ body: (Int) -> Void) {
    precondition(n <= Self.maxIterations, "WorkerPool: at most \(Self.maxIterations) iterations per job")
    let helpers = min(threads, n) - 1
    guard helpers > 0, inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      for i in 0..<n { body(i) }
      return
    }
    while workers < helpers { startWorker(index: workers); workers += 1 }
    withoutActuallyEscaping(body) { escapable in
      self.body = escapable
      unfinished.store(n, ordering: .relaxed)
      participants.store(helpers, ordering: .relaxed)
      let g = (Self.generation(job.load(ordering: .relaxed)) + 1) & 0xFFFFFF
      job.store(g << 40 | UInt64(n), ordering: .sequentiallyConsistent)
      if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
      }
      work(generation: g)
      var spins = 0
      while unfinished.load(ordering: .acquiring) > 0 {
        spins += 1
        if spins & 1023 == 0 { sched_yield() } else { hk_spin_pause() }
      }
      self.body = nil
    }
    inUse.store(false, ordering: .releasing)
  }

  /// Claims and runs iterations of job `generation` until none is left.
  private func work(generation g: UInt64) {
    while true {
      let w = job.load(ordering: .acquiring)
      guard Self.generation(w) == g, Self.next(w) < Self.count(w) else { return }
      guard job.compareExchange(expected: w, desired: w + (1 << 20), ordering: .acquiringAndReleasing).exchanged else {
        continue
      }
      body!(Self.next(w))
      unfinished.subtract(1, ordering: .releasing)
    }
  }

  private func startWorker(index: Int) {
    let thread = Thread { [self] in
      var seen = Self.generation(job.load(ordering: .acquiring))
      while true {
        waitForJob(after: seen)
        seen = Self.generation(job.load(ordering: .acquiring))
        if index < participants.load(ordering: .relaxed) { work(generation: seen) }
      }
    }
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// Returns once the job word carries a generation other than `seen`: polls, then sleeps.
  private func waitForJob(after seen: UInt64) {
    let start = DispatchTime.now().uptimeNanoseconds
    var spins = 0
    while Self.generation(job.load(ordering: .acquiring)) == seen {
      hk_spin_pause()
      spins += 1
      if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds {
        pthread_mutex_lock(&mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while Self.generation(job.load(ordering: .sequentiallyConsistent)) == seen { pthread_cond_wait(&wake, &mutex) }
        sleepers.subtract(1, ordering: .relaxed)
        pthread_mutex_unlock(&mutex)
      }
    }
  }
}
