import HyperTensor

/// Fourier positional encoding of coordinates (NeRF, Mildenhall et al. 2020, Eq. 4):
/// for each coordinate x_d and frequency f_k = 2^k (k = 0..F-1): cos(pi f_k x_d), then sin(pi f_k x_d),
/// grouped per coordinate — [cos_0..cos_{F-1}, sin_0..sin_{F-1}] for d = 0, then d = 1, ...
public enum PositionalEncoding {
  /// coords [N, D] -> [N, 2 D F]. Costs no parameters.
  public static func features(_ coords: Tensor, frequencies: Int) -> Tensor {
    precondition(coords.rank == 2, "positional encoding expects [N, D] coordinates, got \(coords.shape)")
    let d = coords.shape[1]
    var freqs = [Float](repeating: 0, count: d * frequencies)
    for i in 0..<d { for k in 0..<frequencies { freqs[i * frequencies + k] = Float.pi * Float(1 << k) } }
    // angles [N, D, F] = x[N, D, 1] * f[D, F]
    let angles = coords.reshaped([coords.shape[0], d, 1]) * Tensor(shape: [d, frequencies], scalars: freqs)
    return Tensor.concat([angles.cos(), angles.sin()], axis: 2).reshaped([coords.shape[0], 2 * d * frequencies])
  }
}
