import Foundation
import HyperTensor

/// Object categories with many instances for view-synthesis data (a stand-in for ShapeNet's chairs,
/// tables and lamps, which are not reachable here): each instance is assembled from boxes, cylinders,
/// cones and spheres with proportions and optional parts drawn from a seeded generator. World up is +z,
/// the floor at z = 0; `ViewRenderer`'s callers normalise the size.
public enum ProceduralShape {
  public enum Category: String, CaseIterable, Sendable {
    case chairs, tables, lamps

    /// The singular used in LearnIt's split-file names (`chair_splits.json`).
    public var singular: String { String(rawValue.dropLast()) }
  }

  /// One random instance of `category`.
  public static func make(_ category: Category, rng: inout RandomGenerator) -> Mesh {
    func u(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextFloat() }
    func chance(_ p: Float) -> Bool { rng.nextFloat() < p }
    var parts: [Mesh] = []
    /// Four legs of side or radius t under the corners of a w x d top at height h, inset by `inset`.
    func legs(w: Float, d: Float, h: Float, t: Float, inset: Float, round: Bool) {
      for sx in [Float(-1), 1] {
        for sy in [Float(-1), 1] {
          let c = SIMD3<Float>(sx * (w / 2 - inset - t / 2), sy * (d / 2 - inset - t / 2), 0)
          parts.append(round ? cylinder(base: c, radius: t / 2, height: h) : box(centre: c + SIMD3(0, 0, h / 2), size: SIMD3(t, t, h)))
        }
      }
    }
    switch category {
    case .chairs:
      let w = u(0.8, 1.2), d = u(0.8, 1.2), h = u(0.4, 0.6), seat = u(0.06, 0.14), t = u(0.05, 0.12)
      parts.append(box(centre: SIMD3(0, 0, h + seat / 2), size: SIMD3(w, d, seat)))
      legs(w: w, d: d, h: h, t: t, inset: u(0, 0.05), round: chance(0.4))
      let back = u(0.5, 1.0), bt = u(0.05, 0.12)
      parts.append(box(centre: SIMD3(0, d / 2 - bt / 2, h + seat + back / 2), size: SIMD3(w * u(0.7, 1), bt, back)))
      if chance(0.3) {  // armrests
        for sx in [Float(-1), 1] {
          parts.append(box(centre: SIMD3(sx * (w / 2 - 0.04), 0, h + seat + 0.25), size: SIMD3(0.08, d * 0.8, 0.06)))
        }
      }
    case .tables:
      let w = u(1.0, 2.0), d = u(0.6, 1.2), h = u(0.6, 0.9), top = u(0.05, 0.12)
      if chance(0.3) {  // round top on a pedestal
        let r = u(0.4, 0.8)
        parts.append(cylinder(base: SIMD3(0, 0, h), radius: r, height: top))
        parts.append(cylinder(base: .zero, radius: u(0.04, 0.1), height: h))
        parts.append(cylinder(base: .zero, radius: r * u(0.4, 0.7), height: u(0.03, 0.06)))
      } else {
        parts.append(box(centre: SIMD3(0, 0, h + top / 2), size: SIMD3(w, d, top)))
        legs(w: w, d: d, h: h, t: u(0.05, 0.12), inset: u(0, 0.1), round: chance(0.4))
        if chance(0.3) { parts.append(box(centre: SIMD3(0, 0, h * 0.3), size: SIMD3(w * 0.85, d * 0.85, 0.03))) }  // shelf
      }
    case .lamps:
      let baseR = u(0.2, 0.35), baseH = u(0.03, 0.08), stem = u(0.6, 1.2), stemR = u(0.02, 0.05)
      parts.append(cylinder(base: .zero, radius: baseR, height: baseH))
      parts.append(cylinder(base: SIMD3(0, 0, baseH), radius: stemR, height: stem))
      let top = baseH + stem
      if chance(0.3) {
        parts.append(sphere(centre: SIMD3(0, 0, top + 0.12), radius: u(0.1, 0.2)))
      } else {
        let shade = u(0.2, 0.4)
        parts.append(cylinder(base: SIMD3(0, 0, top - shade * 0.3), radius: u(0.2, 0.4), height: shade, topRadius: u(0.1, 0.25)))
      }
    }
    return merged(parts)
  }

  /// An axis-aligned box (12 triangles, wound outwards).
  public static func box(centre c: SIMD3<Float>, size s: SIMD3<Float>) -> Mesh {
    let h = s / 2
    let v = (0..<8).map { i in c + SIMD3<Float>(i & 1 == 0 ? -h.x : h.x, i & 2 == 0 ? -h.y : h.y, i & 4 == 0 ? -h.z : h.z) }
    let quads: [(Int32, Int32, Int32, Int32)] = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    return Mesh(vertices: v, triangles: quads.flatMap { [SIMD3($0.0, $0.1, $0.2), SIMD3($0.0, $0.2, $0.3)] })
  }

  /// A closed cylinder along +z from `base` (a cone frustum when `topRadius` differs from `radius`).
  public static func cylinder(base b: SIMD3<Float>, radius r: Float, height: Float, topRadius: Float? = nil, segments n: Int = 24) -> Mesh {
    let rt = topRadius ?? r
    var v: [SIMD3<Float>] = [b, b + SIMD3(0, 0, height)]
    for k in 0..<n {
      let a = 2 * Float.pi * Float(k) / Float(n), dir = SIMD3<Float>(Foundation.cos(a), Foundation.sin(a), 0)
      v.append(b + r * dir)
      v.append(b + rt * dir + SIMD3(0, 0, height))
    }
    var t: [SIMD3<Int32>] = []
    for k in 0..<n {
      let lo = Int32(2 + 2 * k), hi = lo + 1, lo2 = Int32(2 + 2 * ((k + 1) % n)), hi2 = lo2 + 1
      t += [SIMD3(lo, lo2, hi2), SIMD3(lo, hi2, hi), SIMD3(0, lo2, lo), SIMD3(1, hi, hi2)]
    }
    return Mesh(vertices: v, triangles: t)
  }

  /// A latitude-longitude sphere (2 n^2 triangles).
  public static func sphere(centre c: SIMD3<Float>, radius r: Float, segments n: Int = 16) -> Mesh {
    var v: [SIMD3<Float>] = [], t: [SIMD3<Int32>] = []
    for i in 0...n {
      let theta = Float.pi * Float(i) / Float(n)
      for j in 0..<(2 * n) {
        let phi = Float.pi * Float(j) / Float(n)
        v.append(c + r * SIMD3(Foundation.sin(theta) * Foundation.cos(phi), Foundation.sin(theta) * Foundation.sin(phi), Foundation.cos(theta)))
      }
    }
    func k(_ i: Int, _ j: Int) -> Int32 { Int32(i * 2 * n + j % (2 * n)) }
    for i in 0..<n { for j in 0..<(2 * n) { t += [SIMD3(k(i, j), k(i + 1, j), k(i + 1, j + 1)), SIMD3(k(i, j), k(i + 1, j + 1), k(i, j + 1))] } }
    return Mesh(vertices: v, triangles: t)
  }

  /// The union of meshes as one (vertex indices shifted).
  public static func merged(_ meshes: [Mesh]) -> Mesh {
    var v: [SIMD3<Float>] = [], t: [SIMD3<Int32>] = []
    for m in meshes {
      let off = Int32(v.count)
      v += m.vertices
      t += m.triangles.map { $0 &+ off }
    }
    return Mesh(vertices: v, triangles: t)
  }

  /// A rotation drawn uniformly over all rotations (a uniform unit quaternion, Shoemake 1992) applied to
  /// the mesh about the origin: the random poses of real meshes.
  public static func randomlyRotated(_ mesh: Mesh, rng: inout RandomGenerator) -> Mesh {
    let u1 = rng.nextFloat(), u2 = 2 * Float.pi * rng.nextFloat(), u3 = 2 * Float.pi * rng.nextFloat()
    let a = (1 - u1).squareRoot(), b = u1.squareRoot()
    let (x, y, z, w) = (a * Foundation.sin(u2), a * Foundation.cos(u2), b * Foundation.sin(u3), b * Foundation.cos(u3))
    let r0 = SIMD3<Float>(1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w))
    let r1 = SIMD3<Float>(2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w))
    let r2 = SIMD3<Float>(2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y))
    return Mesh(vertices: mesh.vertices.map { SIMD3(($0 * r0).sum(), ($0 * r1).sum(), ($0 * r2).sum()) }, triangles: mesh.triangles)
  }
}
