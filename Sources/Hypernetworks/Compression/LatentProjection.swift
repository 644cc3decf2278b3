import HyperTensor
import NeuralFields

extension DecoderOnlyHypernetwork {
  /// D'OH Algorithm 1 (Sec. 5.0.2): initialise from a trained target network by least squares,
  /// gamma = argmin ||P gamma - vec(W)||^2 = pinv(P) vec(W) over all layers' weights, and copy the biases.
  /// Solved by conjugate gradients on the normal equations P^T P gamma = P^T vec(W) with P applied layer
  /// by layer (never formed as one matrix). Returns the relative residual ||P gamma - w|| / ||w||.
  @discardableResult
  public func project(from parameters: [Tensor], iterations: Int = 200, tolerance: Float = 1e-6) -> Float {
    precondition(parameters.count == target.layerShapes.count, "need \(target.layerShapes.count) layers")
    return GradMode.withoutGradients {
      let shapes = target.layerShapes
      let weights = zip(parameters, shapes).map { $0.slice(axis: 0, 0, $1.0).reshaped([-1, 1]) }
      func apply(_ x: Tensor) -> [Tensor] { (0..<shapes.count).map { projectedColumn($0, x) } }
      func applyT(_ ys: [Tensor]) -> Tensor {
        ys.enumerated().map { projectedTransposed($0.offset, $0.element) }.reduce(Tensor.zeros([latentDim, 1]), +)
      }
      let b = applyT(weights)
      var x = Tensor.zeros([latentDim, 1])
      var r = b, p = b
      var rr = r.squaredNorm()
      let stop = tolerance * tolerance * max(b.squaredNorm(), 1e-30)
      var k = 0
      while k < iterations && rr > stop {
        let ap = applyT(apply(p))
        let alpha = rr / max(p.squaredNorm() > 0 ? (p * ap).sum().item() : 1, 1e-30)
        x = x + p * alpha
        r = r - ap * alpha
        let next = r.squaredNorm()
        p = r + p * (next / rr)
        rr = next
        k += 1
      }
      gamma.assign(x)
      for (l, b) in biases.enumerated() { b.assign(parameters[l].slice(axis: 0, shapes[l].0, shapes[l].0 + 1)) }
      let residual = zip(apply(x), weights).reduce(Float(0)) { $0 + ($1.0 - $1.1).squaredNorm() }
      let norm = weights.reduce(Float(0)) { $0 + $1.squaredNorm() }
      return (residual / max(norm, 1e-30)).squareRoot()
    }
  }
}
