import HyperTensor

/// The weights of one INR layer, y = x W + b: W is [fanIn, fanOut] when the layer is shared by every
/// instance of a batch, or [B, fanIn, fanOut] when each instance has its own; b is [1, fanOut] or
/// [B, 1, fanOut] likewise. A low-rank layer (IPC) also keeps the factors W was composed from.
public struct LayerWeights {
  public private(set) var weight: Tensor
  public private(set) var bias: Tensor
  /// W = normalize(U V) with U [B, fanIn, r] per instance and V [r, fanOut] shared (IPC Sec. 3.2), and
  /// scaledV = V D [B, r, fanOut], V times the column factors D = 1 / ||U V e_j|| of the normalisation,
  /// so that W = U (V D).
  public private(set) var factors: (u: Tensor, v: Tensor, scaledV: Tensor)?

  public init(weight: Tensor, bias: Tensor) {
    precondition((weight.rank == 2 && bias.shape == [1, weight.shape[1]])
                   || (weight.rank == 3 && (bias.shape == [weight.shape[0], 1, weight.shape[2]] || bias.shape == [1, weight.shape[2]])),
                 "layer weights: W \(weight.shape) and b \(bias.shape) do not match")
    self.weight = weight
    self.bias = bias
  }

  /// A layer from the packed file layout [fanIn + 1, fanOut] (or [B, fanIn + 1, fanOut]), bias last row.
  public init(packed p: Tensor) {
    let axis = p.rank - 2, fanIn = p.shape[axis] - 1
    self.init(weight: p.slice(axis: axis, 0, fanIn), bias: p.slice(axis: axis, fanIn, fanIn + 1))
  }

  /// IPC's instance pattern composer (Eq. 4): W = normalize(U V), unit L2 columns over fanIn, from
  /// per-instance U [B, fanIn, r] and shared V [r, fanOut]; the bias b [1, fanOut] is shared.
  public static func lowRank(u: Tensor, v: Tensor, bias: Tensor) -> LayerWeights {
    precondition(u.rank == 3 && v.rank == 2 && u.shape[2] == v.shape[0], "low-rank factors U \(u.shape) and V \(v.shape) do not match")
    let uv = u.matmul(v), d = uv.l2InverseNorms(axis: 1)
    var l = LayerWeights(weight: uv * d, bias: bias)
    l.factors = (u, v, v * d)
    return l
  }

  /// Whether `applied` runs through the factors: r (fanIn + fanOut) < fanIn fanOut.
  public var usesFactors: Bool { factors.map { $0.u.shape[2] * (fanIn + fanOut) < fanIn * fanOut } ?? false }

  /// x W + b, ReLU after it when `relu`, with W and b times `scale` (SIREN's w0). A low-rank layer runs as
  /// (x U)(V D) + b (Eq. 4 regrouped) when that takes fewer multiply-adds than x W: r (fanIn + fanOut)
  /// against fanIn fanOut per row.
  public func applied(to x: Tensor, scale: Float = 1, relu: Bool = false) -> Tensor {
    var input = x, w = weight, b = linearBias
    if let f = factors, usesFactors {
      input = x.linear(weight: f.u, bias: nil, weightIsInOut: true)
      w = f.scaledV
    }
    if scale != 1 { w = w * scale; b = b * scale }
    return input.linear(weight: w, bias: b, relu: relu, weightIsInOut: true)
  }

  /// The packed layout [fanIn + 1, fanOut] (or [B, fanIn + 1, fanOut]) of model files.
  public var packed: Tensor {
    let b = isBatched && bias.rank == 2 ? bias.repeated(batch: weight.shape[0]) : bias
    return Tensor.concat([weight, b], axis: weight.rank - 2)
  }

  public var isBatched: Bool { weight.rank == 3 }
  public var fanIn: Int { weight.shape[weight.rank - 2] }
  public var fanOut: Int { weight.shape[weight.rank - 1] }

  /// Numbers that are specific to one instance: all of W and b for a per-instance layer, U for a
  /// low-rank one, none for a shared one.
  public var instanceParameterCount: Int {
    guard isBatched else { return 0 }
    if let f = factors { return f.u.count / f.u.shape[0] }
    return (weight.count + (bias.rank == 3 ? bias.count : 0)) / weight.shape[0]
  }

  /// The bias in the form `Tensor.linear` takes for this layer's weight ([fanOut], or [B, 1, fanOut]).
  public var linearBias: Tensor {
    guard isBatched else { return bias.reshaped([fanOut]) }
    return bias.rank == 3 ? bias : bias.repeated(batch: weight.shape[0])
  }

  /// The same layer without gradient history.
  public func detached() -> LayerWeights {
    var l = LayerWeights(weight: weight.detached(), bias: bias.detached())
    l.factors = factors.map { ($0.u.detached(), $0.v.detached(), $0.scaledV.detached()) }
    return l
  }
}

/// The weights of an INR, layer by layer, for one instance or a batch (see `LayerWeights`).
public struct INRWeights {
  public var layers: [LayerWeights]

  public init(_ layers: [LayerWeights]) { self.layers = layers }

  /// From the packed layout of model files and D'OH (layer k [fanIn + 1, fanOut], bias last row).
  public init(packed: [Tensor]) { layers = packed.map(LayerWeights.init(packed:)) }

  public var packed: [Tensor] { layers.map(\.packed) }

  /// The batch size B when any layer is per instance (nil: every layer is shared).
  public var batch: Int? { layers.first { $0.isBatched }?.weight.shape[0] }

  public var instanceParameterCount: Int { layers.reduce(0) { $0 + $1.instanceParameterCount } }

  public func detached() -> INRWeights { INRWeights(layers.map { $0.detached() }) }

  /// Instance i of a batch as an unbatched INR (shared layers as they are).
  public func instance(_ i: Int) -> INRWeights {
    INRWeights(layers.map { l in
      guard l.isBatched else { return l }
      let w = l.weight.slice(axis: 0, i, i + 1).reshaped([l.fanIn, l.fanOut])
      let b = l.bias.rank == 3 ? l.bias.slice(axis: 0, i, i + 1).reshaped([1, l.fanOut]) : l.bias
      return LayerWeights(weight: w, bias: b)
    })
  }

  /// Every layer per instance for a batch of `b`: shared layers (weights and biases) copied b times.
  public func perInstance(batch b: Int) -> INRWeights {
    INRWeights(layers.map { l in
      guard !l.isBatched else { return l }
      return LayerWeights(weight: l.weight.repeated(batch: b), bias: l.bias.repeated(batch: b))
    })
  }
}
