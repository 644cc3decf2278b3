import Foundation
import HyperTensor

/// Inside/outside classification of points against a triangle mesh by multi-ray parity: from the point,
/// rays along +x, +y and +z count the triangles they cross; an odd count means inside, and the majority
/// of the three rays decides, which tolerates small holes and ray-through-edge degeneracies. Triangles
/// are bucketed on a 2-D grid per ray direction, so a query costs tens of triangle tests.
public struct InsideTest {
  private struct Axis {
    let a: Int, b: Int, c: Int  // ray along a; buckets over (b, c)
    var buckets: [[Int32]]
    let lo: SIMD2<Double>, cell: SIMD2<Double>, n: Int
  }

  private let vertices: [SIMD3<Double>]
  private let triangles: [SIMD3<Int32>]
  private var axes: [Axis] = []

  public init(_ mesh: Mesh, grid: Int = 64) {
    vertices = mesh.vertices.map { SIMD3<Double>(Double($0.x), Double($0.y), Double($0.z)) }
    triangles = mesh.triangles
    let (lo3, hi3) = mesh.bounds
    for (a, b, c) in [(0, 1, 2), (1, 2, 0), (2, 0, 1)] {
      let lo = SIMD2(Double(lo3[b]), Double(lo3[c])), hi = SIMD2(Double(hi3[b]), Double(hi3[c]))
      let cell = SIMD2(max((hi.x - lo.x) / Double(grid), 1e-12), max((hi.y - lo.y) / Double(grid), 1e-12))
      var buckets = [[Int32]](repeating: [], count: grid * grid)
      for (t, tri) in triangles.enumerated() {
        let p = [vertices[Int(tri.x)], vertices[Int(tri.y)], vertices[Int(tri.z)]]
        let bs = p.map { $0[b] }, cs = p.map { $0[c] }
        let i0 = Self.clampCell((bs.min()! - lo.x) / cell.x, grid), i1 = Self.clampCell((bs.max()! - lo.x) / cell.x, grid)
        let j0 = Self.clampCell((cs.min()! - lo.y) / cell.y, grid), j1 = Self.clampCell((cs.max()! - lo.y) / cell.y, grid)
        for i in i0...i1 { for j in j0...j1 { buckets[i * grid + j].append(Int32(t)) } }
      }
      axes.append(Axis(a: a, b: b, c: c, buckets: buckets, lo: lo, cell: cell, n: grid))
    }
  }

  private static func clampCell(_ x: Double, _ n: Int) -> Int { min(max(Int(x.rounded(.down)), 0), n - 1) }

  /// Parity of crossings of the ray from `p` along +axis. The ray is displaced by a tiny irrational offset
  /// so that it never passes exactly through a vertex or along an edge (grid-aligned query points and
  /// grid-aligned meshes, such as marching-tetrahedra output, would otherwise hit such ties everywhere).
  private func crossings(_ p: SIMD3<Double>, _ ax: Axis) -> Int {
    let qb = p[ax.b] + 3.14159265358979e-9, qc = p[ax.c] + 2.71828182845905e-9
    let fi = (qb - ax.lo.x) / ax.cell.x, fj = (qc - ax.lo.y) / ax.cell.y
    guard fi >= 0, fj >= 0, fi < Double(ax.n), fj < Double(ax.n) else { return 0 }
    var count = 0
    for t in ax.buckets[Int(fi) * ax.n + Int(fj)] {
      let tri = triangles[Int(t)]
      let v0 = vertices[Int(tri.x)], v1 = vertices[Int(tri.y)], v2 = vertices[Int(tri.z)]
      // 2-D edge functions in the (b, c) plane; a half-open rule keeps shared edges counted once.
      func edge(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> Double {
        (v[ax.b] - u[ax.b]) * (qc - u[ax.c]) - (v[ax.c] - u[ax.c]) * (qb - u[ax.b])
      }
      let e0 = edge(v1, v2), e1 = edge(v2, v0), e2 = edge(v0, v1)
      let area = e0 + e1 + e2
      guard area != 0 else { continue }
      let s: Double = area > 0 ? 1 : -1
      guard s * e0 > 0 || (e0 == 0 && s > 0), s * e1 > 0 || (e1 == 0 && s > 0), s * e2 > 0 || (e2 == 0 && s > 0) else { continue }
      let hit = (e0 * v0[ax.a] + e1 * v1[ax.a] + e2 * v2[ax.a]) / area
      if hit > p[ax.a] { count += 1 }
    }
    return count
  }

  /// Whether `p` lies inside the mesh (majority of the three ray parities).
  public func contains(_ p: SIMD3<Float>) -> Bool {
    let q = SIMD3<Double>(Double(p.x), Double(p.y), Double(p.z))
    var votes = 0
    for ax in axes where crossings(q, ax) % 2 == 1 { votes += 1 }
    return votes >= 2
  }
}

/// Occupancy training data of a mesh as occupancy networks sample it (Mescheder et al. 2019): points
/// uniform in [-1, 1]^3 plus points near the surface (area-weighted surface samples with Gaussian noise),
/// labelled 1 inside and 0 outside.
public enum OccupancySampler {
  public static func sample(_ mesh: Mesh, uniform: Int, nearSurface: Int, sigma: Float, rng: inout RandomGenerator)
    -> (points: [SIMD3<Float>], inside: [Bool]) {
    let tester = InsideTest(mesh)
    var points: [SIMD3<Float>] = []
    points.reserveCapacity(uniform + nearSurface)
    for _ in 0..<uniform { points.append(SIMD3(rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1)) }
    var cumulative: [Double] = []
    var total = 0.0
    for t in mesh.triangles {
      let a = mesh.vertices[Int(t.x)], b = mesh.vertices[Int(t.y)], c = mesh.vertices[Int(t.z)]
      let cr = cross(b - a, c - a)
      total += Double((cr * cr).sum().squareRoot()) / 2
      cumulative.append(total)
    }
    for _ in 0..<nearSurface {
      let r = rng.nextDouble() * total
      var lo = 0, hi = cumulative.count - 1
      while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < r { lo = mid + 1 } else { hi = mid } }
      let t = mesh.triangles[lo]
      var u = rng.nextFloat(), v = rng.nextFloat()
      if u + v > 1 { u = 1 - u; v = 1 - v }
      let a = mesh.vertices[Int(t.x)], b = mesh.vertices[Int(t.y)], c = mesh.vertices[Int(t.z)]
      let p = a + u * (b - a) + v * (c - a)
      let (n0, n1) = rng.nextNormalPair(), (n2, _) = rng.nextNormalPair()
      points.append(p + sigma * SIMD3(n0, n1, n2))
    }
    let inside = concurrentMap(points) { tester.contains($0) }
    return (points, inside)
  }

  /// Occupancy of the centres of an n^3 grid over [-1, 1]^3 (index x + n (y + n z)).
  public static func grid(_ mesh: Mesh, resolution n: Int) -> [Bool] {
    let tester = InsideTest(mesh)
    return concurrentMap(gridPoints(n)) { tester.contains($0) }
  }

  /// Cell centres of an n^3 grid over [-1, 1]^3, index x + n (y + n z).
  public static func gridPoints(_ n: Int) -> [SIMD3<Float>] {
    let ax = CoordinateGrid.axis(n)
    var pts: [SIMD3<Float>] = []
    pts.reserveCapacity(n * n * n)
    for z in 0..<n { for y in 0..<n { for x in 0..<n { pts.append(SIMD3(ax[x], ax[y], ax[z])) } } }
    return pts
  }

  /// Intersection over union of two occupancy sets.
  public static func iou(_ a: [Bool], _ b: [Bool]) -> Double {
    precondition(a.count == b.count, "iou: \(a.count) vs \(b.count) cells")
    var inter = 0, uni = 0
    for i in 0..<a.count { if a[i] && b[i] { inter += 1 }; if a[i] || b[i] { uni += 1 } }
    return uni == 0 ? 1 : Double(inter) / Double(uni)
  }

  static func concurrentMap<T>(_ xs: [SIMD3<Float>], _ f: (SIMD3<Float>) -> T) -> [T] where T: Sendable {
    var out = [T?](repeating: nil, count: xs.count)
    out.withUnsafeMutableBufferPointer { buf in
      let chunks = 64
      let per = (xs.count + chunks - 1) / chunks
      Parallel.run(chunks) { k in
        for i in (k * per)..<min(xs.count, (k + 1) * per) { buf[i] = f(xs[i]) }
      }
    }
    return out.map { $0! }
  }
}
