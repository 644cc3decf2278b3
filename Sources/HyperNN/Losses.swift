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
  ///
  /// With `beta` > 0 this is the beta-NLL of Seitzer et al. 2022 ("On the pitfalls of heteroscedastic
  /// uncertainty estimation", Eq. 5): each element's NLL weighted by its variance^beta, held constant
  /// (no gradient through the weight). Plain NLL scales the mean's gradient by 1 / variance, so the mean
  /// learns slowly wherever the predicted variance is large; beta = 1 gives the mean exactly the MSE
  /// gradient (mean - target) / n while the variance still converges to the squared error.
  public static func gaussianNLL(mean: Tensor, variance: Tensor, target: Tensor, eps: Float = 1e-6,
                                 full: Bool = false, beta: Float = 0) -> Tensor {
    let v = variance.clamped(min: eps)
    var nll = (v.log() + (target - mean).square() / v) * 0.5
    if full { nll = nll + 0.9189385332046727 }  // 0.5 log(2 pi)
    if beta != 0 { nll = nll * v.detached().pow(beta) }
    return nll.mean()
  }
}
