import HyperTensor

/// y = x W^T + b with weight [out, in] (PyTorch layout). Default initialisation as PyTorch's:
/// U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
public final class Linear: Module, Layer {
  public let inFeatures: Int, outFeatures: Int
  public let weight: Parameter
  public let bias: Parameter?

  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    let bound = 1 / Float(inFeatures).squareRoot()
    let w = Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, rng: &rng)
    let b = bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, rng: &rng) : nil
    weight = Parameter(w)
    self.bias = b.map { Parameter($0) }
    super.init()
    register("weight", weight)
    if let p = self.bias { register("bias", p) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, relu: false) }

  /// The layer followed by a ReLU, fused into one GEMM epilogue.
  public func callAsFunction(_ x: Tensor, relu: Bool) -> Tensor {
    precondition(x.shape.last == inFeatures, "Linear(\(inFeatures), \(outFeatures)) got input \(x.shape)")
    return x.linear(weight: weight.value, bias: bias?.value, relu: relu)
  }
}
