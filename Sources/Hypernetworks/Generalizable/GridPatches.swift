import HyperTensor

/// Data tokens of signals on a regular grid (Trans-INR Sec. 3.2): a square image [B, S, S, C] cut into
/// P x P patches in row-major patch order, or audio [B, T, C] cut into frames of P samples; each patch
/// flattened to P^d C numbers.
public struct GridPatches: Equatable, Sendable {
  /// The grid's size per axis: [S, S] for images, [T] for audio.
  public var grid: [Int]
  public var channels: Int
  public var patch: Int

  public init(grid: [Int], channels: Int, patch: Int) {
    precondition(grid.allSatisfy { $0 % patch == 0 }, "grid \(grid) is not a multiple of patch \(patch)")
    self.grid = grid
    self.channels = channels
    self.patch = patch
  }

  /// Number of tokens.
  public var count: Int { grid.reduce(1) { $0 * $1 / patch } }
  /// Numbers per token.
  public var tokenDim: Int { grid.reduce(channels) { a, _ in a * patch } }

  /// Signals [B, grid..., C] -> tokens [B, count, tokenDim].
  public func callAsFunction(_ signals: Tensor) -> Tensor {
    let b = signals.shape[0], p = patch, c = channels
    precondition(Array(signals.shape.dropFirst()) == grid + [c], "expected [B, \((grid + [c]).map(String.init).joined(separator: ", "))] signals, got \(signals.shape)")
    switch grid.count {
    case 1:
      return signals.reshaped([b, count, tokenDim])
    case 2:
      let qh = grid[0] / p, qw = grid[1] / p
      return signals.reshaped([b, qh, p, qw, p, c]).permuted([0, 1, 3, 2, 4, 5]).reshaped([b, count, tokenDim])
    default:
      preconditionFailure("patches of \(grid.count)-D grids are not supported")
    }
  }
}
