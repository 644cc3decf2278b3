import Dispatch
import HyperTensor

/// A data set of signals on one grid (images of one size, audio clips of one length).
public protocol SignalSet: Sendable {
  var count: Int { get }
  /// Items `indices` stacked as [B, grid..., C]; any random transform draws from a generator derived from
  /// `seed` and the item's position, so a batch is the same whichever thread decodes it.
  func batch(_ indices: [Int], seed: UInt64) throws -> Tensor
}

/// Seeded epochs of shuffled batches from a `SignalSet`, decoding batch n + 1 on a background queue while
/// batch n trains. The position (epoch, batch) and the seed determine every batch, so a resumed run sees the
/// same data.
public final class BatchLoader {
  public let data: any SignalSet
  public let batchSize: Int
  public let seed: UInt64
  public private(set) var epoch: Int
  public private(set) var batchIndex: Int
  private let queue = DispatchQueue(label: "hyperinr.image-loader")
  private var inFlight: (key: Int, work: DispatchWorkItem, result: ResultBox)?

  private final class ResultBox: @unchecked Sendable { var value: Result<Tensor, Error>? }

  public init(_ data: any SignalSet, batchSize: Int, seed: UInt64, epoch: Int = 0, batchIndex: Int = 0) {
    precondition(batchSize > 0, "batch size must be positive")
    self.data = data
    self.batchSize = batchSize
    self.seed = seed
    self.epoch = epoch
    self.batchIndex = batchIndex
  }

  public var batchesPerEpoch: Int { max(1, data.count / batchSize) }

  /// The item indices of batch b of epoch e: a seeded permutation per epoch, cut into batches.
  public func indices(epoch e: Int, batch b: Int) -> [Int] {
    var rng = RandomGenerator(seed: seed ^ (UInt64(e) &* 0xD1B5_4A32_D192_ED03))
    let perm = rng.permutation(data.count)
    return (0..<batchSize).map { perm[(b * batchSize + $0) % perm.count] }
  }

  private func start(_ e: Int, _ b: Int) -> (key: Int, work: DispatchWorkItem, result: ResultBox) {
    let k = e * batchesPerEpoch + b, idx = indices(epoch: e, batch: b), s = seed &+ UInt64(k) &* 0x2545_F491_4F6C_DD1D
    let box = ResultBox(), data = self.data
    let work = DispatchWorkItem { box.value = Result { try data.batch(idx, seed: s) } }
    queue.async(execute: work)
    return (k, work, box)
  }

  /// The next batch [B, grid..., C] and its epoch; the following batch starts decoding in the background.
  public func next() throws -> (Tensor, epoch: Int) {
    let e = epoch, k = e * batchesPerEpoch + batchIndex
    let current = inFlight?.key == k ? inFlight! : start(e, batchIndex)
    batchIndex += 1
    if batchIndex >= batchesPerEpoch { batchIndex = 0; epoch += 1 }
    inFlight = start(epoch, batchIndex)
    current.work.wait()
    return (try current.result.value!.get(), e)
  }
}
