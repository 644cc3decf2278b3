import HyperTensor

/// Coordinates of sample centres in [-1, 1] (Trans-INR's convention: cell centres -1 + (2i + 1) / n).
public enum CoordinateGrid {
  /// Centres of n cells along one axis.
  public static func axis(_ n: Int) -> [Float] { (0..<n).map { -1 + (2 * Float($0) + 1) / Float(n) } }

  /// [height * width, 2] (row, col) coordinates in row-major pixel order.
  public static func image(height: Int, width: Int) -> Tensor {
    let ys = axis(height), xs = axis(width)
    return Tensor.build([height * width, 2]) { p, _ in
      for i in 0..<height { for j in 0..<width {
        p[2 * (i * width + j)] = ys[i]
        p[2 * (i * width + j) + 1] = xs[j]
      } }
    }
  }

  /// [frames, 1] time coordinates.
  public static func audio(frames: Int) -> Tensor { Tensor(shape: [frames, 1], scalars: axis(frames)) }
}
