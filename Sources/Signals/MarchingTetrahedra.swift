/// Extracts the level set f = level of a scalar field sampled on an n^3 grid over [-1, 1]^3 (cell centres,
/// index x + n (y + n z)) as a watertight triangle mesh. Each grid cube is split into six tetrahedra
/// around its main diagonal; a tetrahedron with one (or three) corners inside emits one triangle, with
/// two inside a quad, with vertices interpolated linearly on the crossed edges and shared between
/// neighbours. (Marching tetrahedra rather than the 256-case marching-cubes table: same surface up to
/// the triangulation of each cube, no lookup table, no ambiguous cases.) Inside is f > level; triangles
/// face outwards.
public enum MarchingTetrahedra {
  public static func extract(_ values: [Float], resolution n: Int, level: Float = 0) -> Mesh {
    precondition(values.count == n * n * n && n >= 2, "marching tetrahedra needs n^3 values")
    let coord = CoordinateGrid.axis(n)
    func pos(_ id: Int) -> SIMD3<Float> { SIMD3(coord[id % n], coord[(id / n) % n], coord[id / (n * n)]) }
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<Int32>] = []
    var edgeVertex: [Int: Int32] = [:]
    func vertexOn(_ a: Int, _ b: Int) -> Int32 {
      let key = min(a, b) * (n * n * n) + max(a, b)
      if let v = edgeVertex[key] { return v }
      let fa = values[a] - level, fb = values[b] - level
      let t = fa == fb ? 0.5 : fa / (fa - fb)
      vertices.append(pos(a) + (pos(b) - pos(a)) * t)
      let v = Int32(vertices.count - 1)
      edgeVertex[key] = v
      return v
    }
    func emit(_ a: Int32, _ b: Int32, _ c: Int32, outward: SIMD3<Float>) {
      let pa = vertices[Int(a)], pb = vertices[Int(b)], pc = vertices[Int(c)]
      let normal = cross(pb - pa, pc - pa)
      triangles.append((normal * outward).sum() >= 0 ? SIMD3(a, b, c) : SIMD3(a, c, b))
    }
    let tets: [(Int, Int, Int, Int)] = [(0, 1, 3, 7), (0, 1, 5, 7), (0, 2, 3, 7), (0, 2, 6, 7), (0, 4, 5, 7), (0, 4, 6, 7)]
    for z in 0..<(n - 1) { for y in 0..<(n - 1) { for x in 0..<(n - 1) {
      let base = x + n * (y + n * z)
      let corner = (0..<8).map { base + ($0 & 1) + n * (($0 >> 1) & 1) + n * n * (($0 >> 2) & 1) }
      let inside = corner.map { values[$0] > level }
      if inside.allSatisfy({ $0 }) || !inside.contains(true) { continue }
      for t in tets {
        let ids = [corner[t.0], corner[t.1], corner[t.2], corner[t.3]]
        let ins = ids.filter { values[$0] > level }, outs = ids.filter { values[$0] <= level }
        guard !ins.isEmpty && !outs.isEmpty else { continue }
        let centreIn = ins.map(pos).reduce(SIMD3<Float>(), +) / Float(ins.count)
        let centreOut = outs.map(pos).reduce(SIMD3<Float>(), +) / Float(outs.count)
        let outward = centreOut - centreIn
        if ins.count == 1 || outs.count == 1 {
          let (apex, others) = ins.count == 1 ? (ins[0], outs) : (outs[0], ins)
          emit(vertexOn(apex, others[0]), vertexOn(apex, others[1]), vertexOn(apex, others[2]), outward: outward)
        } else {
          let a = vertexOn(ins[0], outs[0]), b = vertexOn(ins[0], outs[1])
          let c = vertexOn(ins[1], outs[1]), d = vertexOn(ins[1], outs[0])
          emit(a, b, c, outward: outward)
          emit(a, c, d, outward: outward)
        }
      }
    } } }
    return Mesh(vertices: vertices, triangles: triangles)
  }
}
