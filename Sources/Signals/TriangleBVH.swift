import Foundation

/// A bounding-volume hierarchy over a mesh's triangles for nearest-hit ray queries: nodes split the
/// triangles at the median centroid along the longest axis of their centroid bounds, leaves hold at most
/// `leafSize` triangles; a query visits the nearer child first and skips every box farther than the best
/// hit so far. Triangle tests are Moller-Trumbore's ("Fast, minimum storage ray/triangle intersection", 1997).
public struct TriangleBVH {
  /// The nearest intersection of a ray: distance along the (unit) direction, the triangle, and its unit
  /// geometric normal (oriented by the triangle's winding, not towards the ray).
  public struct Hit: Equatable {
    public var distance: Float
    public var triangle: Int
    public var normal: SIMD3<Float>
  }

  private struct Node {
    var lo: SIMD3<Float>, hi: SIMD3<Float>
    /// Leaves: first index into `order` and count; inner nodes: the right child (the left is next) and 0.
    var start: Int32, count: Int32
  }

  private let a: [SIMD3<Float>], e1: [SIMD3<Float>], e2: [SIMD3<Float>]
  private var order: [Int32]
  private var nodes: [Node] = []
  public let leafSize: Int

  public init(_ mesh: Mesh, leafSize: Int = 4) {
    self.leafSize = max(1, leafSize)
    let v = mesh.vertices, t = mesh.triangles
    a = t.map { v[Int($0.x)] }
    e1 = t.map { v[Int($0.y)] - v[Int($0.x)] }
    e2 = t.map { v[Int($0.z)] - v[Int($0.x)] }
    order = (0..<Int32(t.count)).map { $0 }
    if !t.isEmpty {
      let corners = t.indices.map { [a[$0], a[$0] + e1[$0], a[$0] + e2[$0]] }
      let bounds = corners.map { c in (lo: pointwiseMin(c[0], pointwiseMin(c[1], c[2])), hi: pointwiseMax(c[0], pointwiseMax(c[1], c[2]))) }
      build(0, t.count, centroids: corners.map { ($0[0] + $0[1] + $0[2]) / 3 }, bounds: bounds)
    }
  }

  public var triangleCount: Int { a.count }

  /// Builds the subtree over order[start ..< end]; returns its node index.
  @discardableResult
  private mutating func build(_ start: Int, _ end: Int, centroids: [SIMD3<Float>], bounds: [(lo: SIMD3<Float>, hi: SIMD3<Float>)]) -> Int {
    var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
    var clo = lo, chi = hi
    for i in start..<end {
      let k = Int(order[i])
      lo = pointwiseMin(lo, bounds[k].lo); hi = pointwiseMax(hi, bounds[k].hi)
      clo = pointwiseMin(clo, centroids[k]); chi = pointwiseMax(chi, centroids[k])
    }
    let index = nodes.count
    nodes.append(Node(lo: lo, hi: hi, start: Int32(start), count: Int32(end - start)))
    let extent = chi - clo
    guard end - start > leafSize, extent.max() > 0 else { return index }
    let axis = extent.x >= extent.y && extent.x >= extent.z ? 0 : (extent.y >= extent.z ? 1 : 2)
    let mid = (start + end) / 2
    var slice = Array(order[start..<end])
    slice.sort { centroids[Int($0)][axis] < centroids[Int($1)][axis] }
    order.replaceSubrange(start..<end, with: slice)
    build(start, mid, centroids: centroids, bounds: bounds)
    let right = build(mid, end, centroids: centroids, bounds: bounds)
    nodes[index].start = Int32(right)
    nodes[index].count = 0
    return index
  }

  /// Entry distance of the ray into a box (nil when it misses or enters beyond `limit`).
  private static func entry(_ lo: SIMD3<Float>, _ hi: SIMD3<Float>, _ o: SIMD3<Float>, _ inv: SIMD3<Float>, _ limit: Float) -> Float? {
    let t0 = (lo - o) * inv, t1 = (hi - o) * inv
    let near = pointwiseMin(t0, t1).max(), far = pointwiseMax(t0, t1).min()
    let enter = max(near, 0)
    return enter <= far && enter < limit ? enter : nil
  }

  /// The nearest triangle hit by the ray origin + s direction (direction of unit length) with
  /// 0 < s < `maxDistance`, or nil.
  public func intersect(origin o: SIMD3<Float>, direction d: SIMD3<Float>, maxDistance: Float = .infinity) -> Hit? {
    guard !nodes.isEmpty else { return nil }
    let inv = SIMD3<Float>(1 / d.x, 1 / d.y, 1 / d.z)
    var best = maxDistance, bestTriangle = -1
    guard let rootEntry = Self.entry(nodes[0].lo, nodes[0].hi, o, inv, best) else { return nil }
    // Nodes to visit with the distance at which the ray enters their box (tested once, when pushed).
    var stack: [(node: Int, entry: Float)] = [(0, rootEntry)]
    stack.reserveCapacity(64)
    while let (n, enter) = stack.popLast() {
      guard enter < best else { continue }  // a nearer hit was found since it was pushed
      let node = nodes[n]
      if node.count > 0 {
        for i in Int(node.start)..<Int(node.start + node.count) {
          let k = Int(order[i])
          if let s = triangleDistance(k, o, d), s < best { best = s; bestTriangle = k }
        }
        continue
      }
      let left = n + 1, right = Int(node.start)
      let dl = Self.entry(nodes[left].lo, nodes[left].hi, o, inv, best)
      let dr = Self.entry(nodes[right].lo, nodes[right].hi, o, inv, best)
      switch (dl, dr) {
      case let (l?, r?): if l <= r { stack += [(right, r), (left, l)] } else { stack += [(left, l), (right, r)] }
      case let (l?, nil): stack.append((left, l))
      case let (nil, r?): stack.append((right, r))
      case (nil, nil): break
      }
    }
    return hit(bestTriangle, best)
  }

  private func hit(_ k: Int, _ distance: Float) -> Hit? {
    guard k >= 0 else { return nil }
    let c = cross(e1[k], e2[k]), len = (c * c).sum().squareRoot()
    return Hit(distance: distance, triangle: k, normal: len > 0 ? c / len : SIMD3(0, 0, 1))
  }

  /// Moller-Trumbore: the ray distance to triangle k, or nil when the ray misses it (or runs parallel).
  private func triangleDistance(_ k: Int, _ o: SIMD3<Float>, _ d: SIMD3<Float>) -> Float? {
    let p = cross(d, e2[k]), det = (e1[k] * p).sum()
    guard abs(det) > 1e-12 else { return nil }
    let invDet = 1 / det, s = o - a[k]
    let u = (s * p).sum() * invDet
    guard u >= 0 && u <= 1 else { return nil }
    let q = cross(s, e1[k]), v = (d * q).sum() * invDet
    guard v >= 0 && u + v <= 1 else { return nil }
    let t = (e2[k] * q).sum() * invDet
    return t > 1e-6 ? t : nil
  }

  /// Every triangle tested, for checking the hierarchy: the same contract as `intersect`.
  public func intersectAll(origin o: SIMD3<Float>, direction d: SIMD3<Float>, maxDistance: Float = .infinity) -> Hit? {
    var best = maxDistance, bestTriangle = -1
    for k in a.indices { if let s = triangleDistance(k, o, d), s < best { best = s; bestTriangle = k } }
    return hit(bestTriangle, best)
  }
}

/// The cross product a x b.
func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
  SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
