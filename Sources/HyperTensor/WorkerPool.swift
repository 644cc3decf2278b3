import CKernels
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Persistent worker threads behind `Parallel.run`. A training step opens hundreds of short parallel
/// regions; waking a sleeping thread for each (as `DispatchQueue.concurrentPerform` does) costs a context
/// switch per region, so a worker that took part in a job polls for `spinNanoseconds` before it sleeps.
/// Workers a job does not need sleep at once and are not woken, and a job never uses more threads than
/// there are online cores (polling threads on a shared core would only slow each other down).
///
/// One job at a time: its generation, next unclaimed iteration and iteration count share one atomic word,
/// so a claim (compare-and-swap) is valid only for the job it was read from. A call made while a job is
/// running (from inside a body, or from another thread) runs serially on its caller.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()
  /// How long a worker polls for the next job after taking part in one.
  static let spinNanoseconds: UInt64 = 200_000
  /// Iterations of one job are counted in 20 bits.
  static let maxIterations = (1 << 20) - 1

  /// A worker's sleeping place: the job's caller signals it when the job includes it.
  private final class Worker: @unchecked Sendable {
    let index: Int
    let asleep = Atomic<Bool>(false)
    var mutex = pthread_mutex_t()
    var wake = pthread_cond_t()
    init(index: Int) {
      self.index = index
      pthread_mutex_init(&mutex, nil)
      pthread_cond_init(&wake, nil)
    }
  }

  private let job = Atomic<UInt64>(0)  // generation << 40 | next << 20 | count
  private let unfinished = Atomic<Int>(0)
  private let participants = Atomic<Int>(0)  // workers with index below this take part in the current job
  private let inUse = Atomic<Bool>(false)
  private var body: ((Int) -> Void)?  // set while a job runs; read only after a successful claim
  private var workers: [Worker] = []  // touched only by the caller that holds `inUse`

  private init() {}

  private static func generation(_ w: UInt64) -> UInt64 { w >> 40 }
  private static func next(_ w: UInt64) -> Int { Int((w >> 20) & 0xFFFFF) }
  private static func count(_ w: UInt64) -> Int { Int(w & 0xFFFFF) }

  /// Runs `body(i)` for i in 0..<n on the caller and up to `threads - 1` workers (fewer when the machine
  /// has fewer cores); returns when all are done.
  func run(_ n: Int, threads: Int, _ body: (Int) -> Void) {
    precondition(n <= Self.maxIterations, "WorkerPool: at most \(Self.maxIterations) iterations per job")
    let helpers = min(threads, n, Parallel.onlineCores) - 1
    guard helpers > 0, inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      for i in 0..<n { body(i) }
      return
    }
    while workers.count < helpers { startWorker(index: workers.count) }
    withoutActuallyEscaping(body) { escapable in
      self.body = escapable
      unfinished.store(n, ordering: .relaxed)
      participants.store(helpers, ordering: .relaxed)
      let g = (Self.generation(job.load(ordering: .relaxed)) + 1) & 0xFFFFFF
      job.store(g << 40 | UInt64(n), ordering: .sequentiallyConsistent)
      for w in workers[..<helpers] where w.asleep.load(ordering: .sequentiallyConsistent) {
        pthread_mutex_lock(&w.mutex)
        pthread_cond_signal(&w.wake)
        pthread_mutex_unlock(&w.mutex)
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
    let worker = Worker(index: index)
    workers.append(worker)
    let thread = Thread { [self] in
      var seen = Self.generation(job.load(ordering: .acquiring))
      var hot = false
      while true {
        seen = waitForJob(worker, after: seen, polling: hot)
        hot = worker.index < participants.load(ordering: .relaxed)
        if hot { work(generation: seen) }
      }
    }
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// Returns the generation of the first job after `seen` (polling first when `polling`, then asleep
  /// until a job includes this worker).
  private func waitForJob(_ w: Worker, after seen: UInt64, polling: Bool) -> UInt64 {
    if polling {
      let start = DispatchTime.now().uptimeNanoseconds
      var spins = 0
      while Self.generation(job.load(ordering: .acquiring)) == seen {
        hk_spin_pause()
        spins += 1
        if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds { break }
      }
      let g = Self.generation(job.load(ordering: .acquiring))
      if g != seen { return g }
    }
    pthread_mutex_lock(&w.mutex)
    w.asleep.store(true, ordering: .sequentiallyConsistent)
    var last = seen
    while true {
      let g = Self.generation(job.load(ordering: .sequentiallyConsistent))
      if g != last {
        if w.index < participants.load(ordering: .sequentiallyConsistent) {
          w.asleep.store(false, ordering: .relaxed)
          pthread_mutex_unlock(&w.mutex)
          return g
        }
        last = g  // a job without this worker: sleep on
      }
      pthread_cond_wait(&w.wake, &w.mutex)
    }
  }
}
