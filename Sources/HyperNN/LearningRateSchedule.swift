import Foundation
import HyperTensor

/// Learning rate as a function of the (0-based) step.
public enum LearningRateSchedule: Equatable, Sendable {
  case constant
  /// Multiply by `gamma` every `every` steps.
  case step(every: Int, gamma: Float)
  /// Linear warm-up over `warmup` steps, then cosine decay to `minFactor` times the base rate at `total`.
  case cosine(warmup: Int, total: Int, minFactor: Float)
  /// Multiply by `gamma` every step.
  case exponential(gamma: Float)

  public func rate(base: Float, step: Int) -> Float {
    switch self {
    case .constant:
      return base
    case let .step(every, gamma):
      return base * Float(Foundation.pow(Double(gamma), Double(step / max(every, 1))))
    case let .cosine(warmup, total, minFactor):
      if step < warmup { return base * Float(step + 1) / Float(warmup) }
      let span = max(total - warmup, 1)
      let progress = min(Double(step - warmup) / Double(span), 1)
      let f = Double(minFactor) + (1 - Double(minFactor)) * 0.5 * (1 + Foundation.cos(Double.pi * progress))
      return base * Float(f)
    case let .exponential(gamma):
      return base * Float(Foundation.pow(Double(gamma), Double(step)))
    }
  }
}

/// Rescales gradients so that their global L2 norm is at most `maxNorm` (as torch.nn.utils.clip_grad_norm_).
/// Returns the clipped gradients and the norm before clipping.
public func clipGradientNorm(_ grads: [Tensor], maxNorm: Float) -> ([Tensor], Float) {
  let total = Float(grads.reduce(0.0) { $0 + Double($1.squaredNorm()) }.squareRoot())
  guard total > maxNorm, total.isFinite else { return (grads, total) }
  let scale = maxNorm / (total + 1e-6)
  return (grads.map { $0 * scale }, total)
}
