import XCTest
import HyperNN
import HyperTensor

final class ModuleTests: XCTestCase {
  func testTransformerNamesShapesAndFreezing() {
    var rng = RandomGenerator(seed: 8)
    let enc = TransformerEncoder(depth: 2, dim: 16, heads: 4, rng: &rng)
    let names = enc.namedParameters().map(\.0)
    XCTAssertEqual(names.prefix(8), ["blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight",
                                     "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias",
                                     "blocks.0.norm2.weight", "blocks.0.norm2.bias"])
    XCTAssert(names.contains("blocks.1.mlp.fc2.weight") && names.last == "norm.bias")
    XCTAssertEqual(enc.parameterCount(), 2 * (4 * 16 + 16 * 48 + 48 + 16 * 16 + 16 + 16 * 64 + 64 + 64 * 16 + 16) + 32)
    let x = Tensor.normal([2, 5, 16], rng: &rng)
    XCTAssertEqual(enc(x).shape, [2, 5, 16])
    XCTAssertEqual(enc.freeze(prefix: "blocks.0"), 12)
    XCTAssertEqual(enc.trainableParameters().count, 14)
    let (_, grads) = valueAndGradients(of: enc) { enc(x).square().mean() }
    XCTAssertEqual(grads.count, 14)
    XCTAssert(grads.allSatisfy { $0.squaredNorm() > 0 })
    enc.freeze(prefix: "", false)
    XCTAssertEqual(enc.trainableParameters().count, 26)
  }

  /// The encoder's output at a range of tokens (its last block computing only those rows) equals its full
  /// output's rows there, and so do the gradients of every parameter and of the input.
  func testEncoderOutputsAtSomeTokensMatchTheFullOutput() {
    var rng = RandomGenerator(seed: 12)
    for depth in [1, 3] {
      let enc = TransformerEncoder(depth: depth, dim: 16, heads: 4, rng: &rng)
      let x = Tensor.normal([2, 7, 16], rng: &rng).requiringGrad(), w = Tensor.normal([2, 3, 16], rng: &rng)
      let part = enc(x, outputs: 4..<7), full = enc(x).slice(axis: 1, 4, 7)
      XCTAssertEqual(part.shape, [2, 3, 16])
      for (a, b) in zip(part.scalars, full.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
      let params = enc.trainableParameters().map(\.1.value)
      let gp = gradients(of: (part * w).sum(), wrt: params + [x]), gf = gradients(of: (full * w).sum(), wrt: params + [x])
      for (a, b) in zip(gp, gf) {
        XCTAssertEqual(a.shape, b.shape)
        for (u, v) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, v, accuracy: 1e-4) }
      }
    }
  }

  /// Attention against an explicit per-head computation.
  func testAttentionMatchesPerHeadReference() {
    var rng = RandomGenerator(seed: 9)
    let attn = MultiHeadAttention(dim: 8, heads: 2, rng: &rng)
    let x = Tensor.normal([1, 3, 8], rng: &rng)
    let y = attn(x)
    let qkv = attn.qkv(x).reshaped([3, 24])
    var heads: [Tensor] = []
    for h in 0..<2 {
      let q = qkv.slice(axis: 1, 4 * h, 4 * h + 4), k = qkv.slice(axis: 1, 8 + 4 * h, 12 + 4 * h)
      let v = qkv.slice(axis: 1, 16 + 4 * h, 20 + 4 * h)
      heads.append((q.matmul(k, transposeB: true) / 2).softmax().matmul(v))
    }
    let ref = attn.proj(Tensor.concat(heads, axis: 1)).scalars
    for (a, b) in zip(y.scalars, ref) { XCTAssertEqual(a, b, accuracy: 1e-5) }
  }

  func testDropoutOnlyInTraining() {
    let d = Dropout(0.5, seed: 1)
    let x = Tensor.ones([1000])
    let y = d(x).scalars
    XCTAssert(y.allSatisfy { $0 == 0 || $0 == 2 })
    XCTAssertEqual(Float(y.filter { $0 == 0 }.count) / 1000, 0.5, accuracy: 0.06)
    d.train(false)
    XCTAssertEqual(d(x).scalars, x.scalars)
  }

  func testEmbeddingAndLinearGradients() {
    var rng = RandomGenerator(seed: 10)
    let e = Embedding(5, 3, rng: &rng), l = Linear(3, 2, rng: &rng)
    let m = Module()
    m.register("embed", e)
    m.register("proj", l)
    let (_, g) = valueAndGradients(of: m) { l(e([1, 1, 4])).sum() }
    // Rows never looked up get no gradient; row 1 appears twice.
    let ge = g[0].scalars
    XCTAssertEqual(Array(ge[0..<3]), [0, 0, 0])
    let colSums = (0..<3).map { j in l.weight.value.scalars[j] + l.weight.value.scalars[3 + j] }
    for j in 0..<3 { XCTAssertEqual(ge[3 + j], 2 * colSums[j], accuracy: 1e-5) }
    for j in 0..<3 { XCTAssertEqual(ge[12 + j], colSums[j], accuracy: 1e-5) }
  }
}
