import HyperTensor

/// Training objectives; each returns the mean over all elements.
public enum Loss {
  /// mean((prediction - target)^2).
  public static func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor { (prediction - target).square().mean() }

  /// mean(|prediction - target|).
  public static func l1(_ prediction: Tensor, _ target: Tensor) -> Tensor { (prediction - target).abs().mean() }

  /// Binary cross-entropy of logits z against targets y in [0, 1], computed stably:
  /// mean(softplus(z) - y z).
  public static func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
    (logits.softplus() - targets * logits).mean()
  }

  /// Gaussian negative log-likelihood with per-element variance (PyTorch's GaussianNLLLoss):
  /// mean(0.5 (log max(var, eps) + (target - mean)^2 / max(var, eps))) + 0.5 log(2 pi) when `full`.
  public static func gaussianNLL(mean: Tensor, variance: Tensor, target: Tensor, eps: Float = 1e-6,
                                 full: Bool = false) -> Tensor {
    let v = variance.clamped(min: eps)
    let nll = ((v.log() + (target - mean).square() / v) * 0.5).mean()
    return full ? nll + 0.9189385332046727 : nll  // 0.5 log(2 pi)
  }
}
