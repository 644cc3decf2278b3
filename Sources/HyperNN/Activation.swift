import HyperTensor

/// Pointwise nonlinearities selectable by name in configurations.
public enum Activation: String, CaseIterable, Codable, Sendable {
  case identity, relu, gelu, geluTanh = "gelu_tanh", tanh, sigmoid, softplus, sine

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .identity: return x
    case .relu: return x.relu()
    case .gelu: return x.geluErf()
    case .geluTanh: return x.geluTanh()
    case .tanh: return x.tanh()
    case .sigmoid: return x.sigmoid()
    case .softplus: return x.softplus()
    case .sine: return x.sin()
    }
  }
}
