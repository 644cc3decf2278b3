import HyperNN
import HyperTensor
import NeuralFields

/// D'OH (Gordon et al., "D'OH: Decoder-Only Random Hypernetworks for Implicit Neural Representations"):
/// one signal is represented by a trainable latent code gamma in R^d; each layer's weights of a target
/// SIREN are a fixed random projection of it, vec(W_l) = P_l gamma (Eq. 1), with P_l regenerated from a
/// seed (`SeededProjection`), so only gamma, the biases and the seed are stored. Biases are separate
/// parameters initialised to zero.
///
/// Initialisation (Sec. 2.5.1): gamma ~ U(-1, 1), so Var(gamma) = 1/3. With P_l's entries U(-a, a)
/// (variance a^2 / 3), each weight w = sum_j P_ij gamma_j has Var(w) = d (a^2 / 3)(1 / 3) = d a^2 / 9.
/// SIREN initialises layer l uniformly in (-c_l, c_l), variance c_l^2 / 3, with c_0 = 1 / fanIn and
/// c_l = sqrt(6 / fanIn) / w0 after; equal variances give a_l = c_l sqrt(3 / d).
///
/// Memory: the projections of all layers hold d x (target weights) floats (at 100 % of the paper's 9 x 40
/// SIREN about 15k x 15k, 0.9 GB). They are materialised once and kept while they fit in
/// `cacheLimitBytes`; beyond that each forward and backward pass regenerates them block by block from
/// the seed.
public final class DecoderOnlyHypernetwork: Module, FieldParameterization {
  public let target: HypoNet
  public let latentDim: Int
  public let seed: UInt64
  public let projections: [SeededProjection]
  public let gamma: Parameter
  public let biases: [Parameter]
  /// Largest total projection size kept in memory (default 2 GiB).
  public let cacheLimitBytes: Int
  private var cache: [Tensor]?

  /// Number of target weights (no biases): the rows of all projections.
  public static func weightCount(_ net: HypoNet) -> Int { net.layerShapes.reduce(0) { $0 + $1.0 * $1.1 } }

  public init(target: HypoNet, latentDim: Int, seed: UInt64, cacheLimitBytes: Int = 2 << 30) {
    precondition(target.kind == .siren, "D'OH targets a SIREN")
    precondition(latentDim > 0, "latent dimension must be positive")
    self.target = target
    self.latentDim = latentDim
    self.seed = seed
    self.cacheLimitBytes = cacheLimitBytes
    projections = target.layerShapes.enumerated().map { l, shape in
      let (fanIn, fanOut) = shape
      let c: Float = l == 0 ? 1 / Float(fanIn) : (6 / Float(fanIn)).squareRoot() / target.w0
      return SeededProjection(seed: seed, layer: l, rows: fanIn * fanOut, columns: latentDim,
                              scale: c * (3 / Float(latentDim)).squareRoot())
    }
    var rng = RandomGenerator(seed: seed ^ 0xD0_4A7E)
    gamma = Parameter(Tensor.uniform([latentDim, 1], low: -1, high: 1, rng: &rng))
    biases = target.layerShapes.map { Parameter(Tensor.zeros([1, $0.1])) }
    super.init()
    register("gamma", gamma)
    for (l, b) in biases.enumerated() { register("bias.\(l)", b) }
    if projections.reduce(0, { $0 + $1.byteCount }) <= cacheLimitBytes { cache = projections.map { $0.matrix() } }
  }

  /// Whether the projections are held in memory (else regenerated every pass).
  public var isCached: Bool { cache != nil }

  /// P_l x without recording gradients (x [d, 1] -> [fanIn * fanOut, 1]).
  func projectedColumn(_ l: Int, _ x: Tensor) -> Tensor { GradMode.withoutGradients { projected(l, x) } }

  /// P_l^T y (y [fanIn * fanOut, 1] -> [d, 1]), block by block when not cached.
  func projectedTransposed(_ l: Int, _ y: Tensor) -> Tensor {
    GradMode.withoutGradients {
      if let cache { return cache[l].matmul(y, transposeA: true) }
      let p = projections[l], block = max(1, (64 << 20) / max(p.columns * 4, 1))
      return stride(from: 0, to: p.rows, by: block).map { r0 -> Tensor in
        let r = r0..<min(p.rows, r0 + block)
        return p.rows(r).matmul(y.slice(axis: 0, r.lowerBound, r.upperBound), transposeA: true)
      }.reduce(Tensor.zeros([latentDim, 1]), +)
    }
  }

  /// P_l gamma for one layer, as a [fanIn * fanOut, 1] column.
  private func projected(_ l: Int, _ g: Tensor) -> Tensor {
    if let cache { return cache[l].matmul(g) }
    // Streaming: blocks of P_l are regenerated for the forward product and again for the backward
    // product P_l^T dw, so no block outlives its use (not differentiable twice).
    let p = projections[l], block = max(1, (64 << 20) / max(p.columns * 4, 1))
    let blocks = stride(from: 0, to: p.rows, by: block).map { $0..<min(p.rows, $0 + block) }
    let value = GradMode.withoutGradients { Tensor.concat(blocks.map { p.rows($0).matmul(g.detached()) }, axis: 0) }
    return Tensor.recording(value, inputs: [g]) { dw, _ in [self.projectedTransposed(l, dw)] }
  }

  /// The target network's parameters, layer l as [fanIn + 1, fanOut] (bias last), differentiable in
  /// gamma and the biases.
  public func generatedParameters() -> [Tensor] {
    target.layerShapes.enumerated().map { l, shape in
      Tensor.concat([projected(l, gamma.value).reshaped([shape.0, shape.1]), biases[l].value], axis: 0)
    }
  }

  public var hyponetWeights: INRWeights { INRWeights(packed: generatedParameters()) }

  /// "hyperinr.doh" = "latentDim,seed".
  public var checkpointMetadata: [String: String] { ["hyperinr.doh": "\(latentDim),\(seed)"] }

  /// Rebuilds the hypernetwork a checkpoint was made with (nil when the metadata has no D'OH entry).
  public static func fromCheckpoint(_ net: HypoNet, _ metadata: [String: String]) throws -> DecoderOnlyHypernetwork? {
    guard let entry = metadata["hyperinr.doh"] else { return nil }
    let parts = entry.split(separator: ",")
    guard parts.count == 2, let d = Int(parts[0]), d > 0, let seed = UInt64(parts[1]) else {
      throw FitError(description: "malformed hyperinr.doh metadata '\(entry)'")
    }
    return DecoderOnlyHypernetwork(target: net, latentDim: d, seed: seed)
  }

  /// Stored parameter count: d + biases (the seed and the architecture are a few bytes of header).
  public var storedParameterCount: Int { latentDim + biases.reduce(0) { $0 + $1.value.count } }
}
