import HyperTensor

/// Layer normalisation over the last axis with learned scale ("weight") and shift ("bias").
public final class LayerNorm: Module, Layer {
  public let weight: Parameter, bias: Parameter
  public let eps: Float

  public init(_ dim: Int, eps: Float = 1e-5) {
    self.eps = eps
    weight = Parameter(Tensor.ones([dim]))
    bias = Parameter(Tensor.zeros([dim]))
    super.init()
    register("weight", weight)
    register("bias", bias)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight.value, bias: bias.value, eps: eps) }
}
