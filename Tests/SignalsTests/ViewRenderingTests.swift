import Foundation
import HyperTensor
import Signals
import XCTest

/// The data renderer for view synthesis: the BVH against testing every triangle, cameras in the NeRF
/// convention, a sphere's silhouette and shading against closed forms, and the transforms.json folder
/// round trip with its checks.
final class ViewRenderingTests: XCTestCase {
  private func sphere(radius r: Float, centre c: SIMD3<Float> = .zero, n: Int = 48) -> Mesh {
    ProceduralShape.sphere(centre: c, radius: r, segments: n)
  }

  private func randomUnit(_ rng: inout RandomGenerator) -> SIMD3<Float> {
    let z = 2 * rng.nextFloat() - 1, phi = 2 * Float.pi * rng.nextFloat(), s = (1 - z * z).squareRoot()
    return SIMD3(s * cos(phi), s * sin(phi), z)
  }

  private func assertSameHit(_ a: TriangleBVH.Hit?, _ b: TriangleBVH.Hit?, _ what: String) {
    XCTAssertEqual(a == nil, b == nil, what)
    guard let a, let b else { return }
    XCTAssertEqual(a.distance, b.distance, accuracy: 1e-5 * max(1, b.distance), what)
    if a.triangle != b.triangle { XCTAssertEqual(a.distance, b.distance, accuracy: 1e-6, "\(what): different triangles at different distances") }
  }

  func testHierarchyFindsTheNearestHitOfTestingEveryTriangle() throws {
    var rng = RandomGenerator(seed: 4)
    var v: [SIMD3<Float>] = [], t: [SIMD3<Int32>] = []
    for i in 0..<300 {  // a soup of small triangles in [-1, 1]^3
      let c = SIMD3(2 * rng.nextFloat() - 1, 2 * rng.nextFloat() - 1, 2 * rng.nextFloat() - 1)
      for _ in 0..<3 { v.append(c + 0.2 * randomUnit(&rng)) }
      t.append(SIMD3(Int32(3 * i), Int32(3 * i + 1), Int32(3 * i + 2)))
    }
    var meshes = [("soup", Mesh(vertices: v, triangles: t)), ("sphere", sphere(radius: 0.7))]
    if let d = Fixture.sharedData { meshes.append(("spot", try Mesh.load(d.appendingPathComponent("meshes/spot.obj")).normalized(extent: 1))) }
    var hits = 0
    for (name, mesh) in meshes {
      let bvh = TriangleBVH(mesh)
      XCTAssertEqual(bvh.triangleCount, mesh.triangles.count)
      for r in 0..<400 {
        let o = 2.5 * randomUnit(&rng), target = 0.8 * SIMD3(2 * rng.nextFloat() - 1, 2 * rng.nextFloat() - 1, 2 * rng.nextFloat() - 1)
        let d = target - o, dir = d / (d * d).sum().squareRoot()
        let fast = bvh.intersect(origin: o, direction: dir), slow = bvh.intersectAll(origin: o, direction: dir)
        assertSameHit(fast, slow, "\(name) ray \(r)")
        if fast != nil { hits += 1 }
        // A distance limit short of the hit hides it.
        if let s = slow { XCTAssertNil(bvh.intersect(origin: o, direction: dir, maxDistance: s.distance * 0.999), "\(name) ray \(r) limited") }
      }
    }
    XCTAssertGreaterThan(hits, 300)  // the rays do reach the meshes
  }

  func testCamerasFollowTheNeRFConvention() {
    let eye = SIMD3<Float>(3, -2, 1.5)
    let cam = PinholeCamera(width: 40, height: 30, angleX: 0.7, cameraToWorld: PinholeCamera.lookAt(eye: eye))
    XCTAssertEqual(cam.focal, 20 / tan(0.35), accuracy: 1e-4)
    XCTAssertEqual(cam.position, eye)
    let m = cam.cameraToWorld
    let right = SIMD3(m[0].x, m[1].x, m[2].x), up = SIMD3(m[0].y, m[1].y, m[2].y), back = SIMD3(m[0].z, m[1].z, m[2].z)
    for (a, b, dot) in [(right, right, 1), (up, up, 1), (back, back, 1), (right, up, 0), (right, back, 0), (up, back, 0)] as [(SIMD3<Float>, SIMD3<Float>, Float)] {
      XCTAssertEqual((a * b).sum(), dot, accuracy: 1e-5)
    }
    // Right-handed: right x up = back; the centre ray looks at the target; image up leans to world +z.
    let rxu = SIMD3(right.y * up.z - right.z * up.y, right.z * up.x - right.x * up.z, right.x * up.y - right.y * up.x)
    XCTAssertEqual(((rxu - back) * (rxu - back)).sum(), 0, accuracy: 1e-8)
    let centre = cam.ray(x: 20, y: 15).direction, toTarget = -eye / (eye * eye).sum().squareRoot()
    XCTAssertEqual((centre * toTarget).sum(), 1, accuracy: 1e-6)
    XCTAssertGreaterThan(cam.ray(x: 20, y: 0).direction.z, centre.z)
    XCTAssertLessThan((cam.ray(x: 0, y: 15).direction * right).sum(), 0)
    // The edge of the image is half the field of view off the axis.
    XCTAssertEqual(acos((cam.ray(x: 40, y: 15).direction * centre).sum()), 0.35, accuracy: 1e-5)
    // Orbits: at the radius, looking at the origin, seeded.
    var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7), c = RandomGenerator(seed: 8)
    let o1 = PinholeCamera.orbit(count: 20, radius: 4, width: 8, height: 8, angleX: 0.7, rng: &a)
    XCTAssertEqual(o1, PinholeCamera.orbit(count: 20, radius: 4, width: 8, height: 8, angleX: 0.7, rng: &b))
    XCTAssertNotEqual(o1, PinholeCamera.orbit(count: 20, radius: 4, width: 8, height: 8, angleX: 0.7, rng: &c))
    for cam in o1 {
      XCTAssertEqual((cam.position * cam.position).sum().squareRoot(), 4, accuracy: 1e-5)
      XCTAssertEqual((cam.ray(x: 4, y: 4).direction * cam.position).sum(), -4, accuracy: 1e-4)
    }
    XCTAssert(o1.contains { $0.position.z > 1 } && o1.contains { $0.position.z < -1 })  // both hemispheres
  }

  /// A sphere seen from distance D covers a disc of radius f tan(asin(R / D)) pixels; its nearest point is
  /// at D - R and is lit as albedo (ambient + (1 - ambient) max(0, n . l)) with n the facet's normal turned
  /// towards the camera.
  func testSphereSilhouetteAndShadingMatchClosedForms() {
    let r: Float = 0.8, dist: Float = 4, albedo = SIMD3<Float>(0.9, 0.5, 0.2)
    var renderer = ViewRenderer(mesh: sphere(radius: r, n: 64), albedo: .solid(albedo))
    renderer.samples = 4
    let eye = SIMD3<Float>(0, -dist, 0.0)
    let cam = PinholeCamera(width: 64, height: 64, angleX: 0.6, cameraToWorld: PinholeCamera.lookAt(eye: eye))
    let view = renderer.render(cam)
    XCTAssertEqual(view.pixels.shape, [64, 64, 4])
    let px = view.pixels.scalars
    let coverage = stride(from: 3, to: px.count, by: 4).reduce(Float(0)) { $0 + px[$1] }
    let disc = Float.pi * pow(cam.focal * tan(asin(r / dist)), 2)
    XCTAssertEqual(coverage / disc, 1, accuracy: 0.02)
    XCTAssertEqual(px[3], 0)  // a corner sees the background
    let ray = cam.ray(x: 32, y: 32)
    let hit = try! XCTUnwrap(renderer.bvh.intersect(origin: ray.origin, direction: ray.direction))
    XCTAssertEqual(hit.distance, dist - r, accuracy: 2e-3)
    // The facet's normal, turned to the camera, is the sphere's there up to the facet size (pi / 64).
    let n = (hit.normal * ray.direction).sum() > 0 ? -hit.normal : hit.normal
    XCTAssertGreaterThan((n * -ray.direction).sum(), cos(Float.pi / 64))
    let expected = albedo * (renderer.ambient + (1 - renderer.ambient) * max(0, (n * renderer.light).sum()))
    let shaded = try! XCTUnwrap(renderer.shade(origin: ray.origin, direction: ray.direction))
    for k in 0..<3 { XCTAssertEqual(shaded[k], expected[k], accuracy: 1e-5) }
    // The albedo schemes: two-tone splits at z, the checker alternates between neighbouring cells.
    XCTAssertEqual(ViewRenderer.Albedo.twoTone(top: .one, bottom: .zero, split: 0.1).color(at: SIMD3(0, 0, 0.2)), .one)
    XCTAssertEqual(ViewRenderer.Albedo.twoTone(top: .one, bottom: .zero, split: 0.1).color(at: SIMD3(0, 0, 0)), .zero)
    let checker = ViewRenderer.Albedo.checker(.one, .zero, cell: 0.5)
    XCTAssertNotEqual(checker.color(at: SIMD3(0.1, 0.1, 0.1)), checker.color(at: SIMD3(0.6, 0.1, 0.1)))
  }

  func testSceneFolderRoundTripAndChecks() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = RandomGenerator(seed: 2)
    let renderer = ViewRenderer(mesh: sphere(radius: 0.6, centre: SIMD3(0.1, 0, 0), n: 16), albedo: .random(rng: &rng))
    let cams = PinholeCamera.orbit(count: 3, radius: 4, width: 16, height: 16, angleX: 0.69, rng: &rng)
    let folder = dir.appendingPathComponent("obj/a")
    try MultiViewScene(cameras: cams, views: cams.map(renderer.render)).write(to: folder)
    let back = try MultiViewScene.load(folder)
    XCTAssertEqual(back.cameras.count, 3)
    for (c, d) in zip(back.cameras, cams) {
      XCTAssertEqual(c.width, 16)
      XCTAssertEqual(c.angleX, d.angleX)
      XCTAssertEqual(c.cameraToWorld, d.cameraToWorld)
    }
    XCTAssertEqual(back.views[0].channels, 4)
    XCTAssertGreaterThan(back.views[0].pixels.scalars.enumerated().filter { $0.offset % 4 == 3 && $0.element > 0 }.count, 20)
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("obj").path)), ["a"])  // no staging left
    XCTAssertThrowsError(try MultiViewScene(cameras: cams, views: cams.map(renderer.render)).write(to: folder)) {
      XCTAssert("\($0)".contains("already exists"), "\($0)")
    }
    // Damaged copies: each load fails with one message naming the file and the problem.
    let json = try String(contentsOf: folder.appendingPathComponent("transforms.json"), encoding: .utf8)
    func damaged(_ name: String, json edit: (String) -> String, files: (URL) throws -> Void = { _ in }) throws -> String {
      let d = dir.appendingPathComponent(name)
      try FileManager.default.copyItem(at: folder, to: d)
      try edit(json).write(to: d.appendingPathComponent("transforms.json"), atomically: true, encoding: .utf8)
      try files(d)
      do { _ = try MultiViewScene.load(d); return "loaded" } catch { return "\(error)" }
    }
    XCTAssert(try damaged("noangle", json: { $0.replacingOccurrences(of: "\"camera_angle_x\"", with: "\"fov\"") }).contains("lacks camera_angle_x"))
    XCTAssert(try damaged("badangle", json: { $0.replacingOccurrences(of: "\"camera_angle_x\" : 0.69", with: "\"camera_angle_x\" : 7") }).contains("camera_angle_x must be in (0, pi)"))
    let firstRow = try XCTUnwrap(json.range(of: "\"transform_matrix\" : [\n        ["))
    let threeRows = json.replacingCharacters(in: firstRow, with: "\"transform_matrix\" : [\n        [1, 2, 3],\n        [")
    XCTAssert(try damaged("rows", json: { _ in threeRows }).contains("frame 0: transform_matrix must be 4 x 4"))
    XCTAssert(try damaged("nopath", json: { $0.replacingOccurrences(of: "\"file_path\" : \"./r_001\",", with: "") }).contains("frame 1 lacks file_path"))
    XCTAssert(try damaged("nopng", json: { $0 }, files: { try FileManager.default.removeItem(at: $0.appendingPathComponent("r_002.png")) }).contains("r_002.png"))
    XCTAssert(try damaged("wide", json: { $0 }, files: { d in
      try Image(pixels: Tensor.zeros([16, 20, 4])).writePNG(d.appendingPathComponent("r_001.png"))
    }).contains("views must be square, got 20x16"))
    XCTAssert(try damaged("junk", json: { _ in "[1, 2" }).contains("is not a transforms.json object"))
    let zeroRow = json.replacingCharacters(in: firstRow, with: "\"transform_matrix\" : [\n        [0, 0, 0, 0],\n        [0, 0, 0, 0],\n        [0, 0, 0, 0],\n        [0, 0, 0, 0]],\n        \"unused\" : [\n        [")
    XCTAssert(try damaged("zero", json: { _ in zeroRow }).contains("frame 0: transform_matrix is not a camera-to-world matrix"))
    XCTAssert(try damaged("gray", json: { $0 }, files: { d in
      try Image(pixels: Tensor.zeros([16, 16, 1])).writePNG(d.appendingPathComponent("r_001.png"))
    }).contains("with 1 channels but the first view is 16x16 with 4"))
    let many = "{\"camera_angle_x\": 0.7, \"frames\": [" + Array(repeating: "{\"file_path\": \"r_000\"}", count: 10_001).joined(separator: ",") + "]}"
    XCTAssert(try damaged("many", json: { _ in many }).contains("has 10001 frames, more than the 10000"))
    XCTAssertTrue(PinholeCamera.isRigid(cams[0].cameraToWorld))
    XCTAssertFalse(PinholeCamera.isRigid(cams[0].cameraToWorld.map { $0 * 2 }))
  }

  func testProceduralCategoriesAreSeededUprightSolids() {
    for category in ProceduralShape.Category.allCases {
      var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
      var shapes: [Mesh] = []
      for i in 0..<20 {
        let m = ProceduralShape.make(category, rng: &a)
        XCTAssertEqual(m, ProceduralShape.make(category, rng: &b), "\(category) \(i): seeded")
        XCTAssertGreaterThan(m.triangles.count, 20)
        XCTAssert(m.triangles.allSatisfy { t in (0..<3).allSatisfy { t[$0] >= 0 && Int(t[$0]) < m.vertices.count } })
        let (lo, hi) = m.bounds
        XCTAssertEqual(lo.z, 0, accuracy: 1e-5, "\(category) \(i) stands on the floor")
        XCTAssert(hi.z > 0.5 && hi.z < 2.5, "\(category) \(i) height \(hi.z)")
        shapes.append(m)
      }
      XCTAssertGreaterThan(Set(shapes.map { $0.bounds.1.z }).count, 10, "\(category) instances vary")
    }
    // The primitives are closed solids where they should be.
    let box = InsideTest(ProceduralShape.box(centre: SIMD3(1, 2, 3), size: SIMD3(0.4, 1, 2)))
    XCTAssert(box.contains(SIMD3(1.1, 2.3, 3.8)))
    XCTAssertFalse(box.contains(SIMD3(1.3, 2, 3)))
    let cone = InsideTest(ProceduralShape.cylinder(base: .zero, radius: 0.5, height: 1, topRadius: 0.1))
    XCTAssert(cone.contains(SIMD3(0.35, 0, 0.1)))
    XCTAssertFalse(cone.contains(SIMD3(0.35, 0, 0.9)))
    // A random pose is a rotation: distances from the origin and the orientation are kept.
    var rng = RandomGenerator(seed: 3)
    let tet = Mesh(vertices: [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)], triangles: [SIMD3(0, 1, 2)])
    let turned = ProceduralShape.randomlyRotated(tet, rng: &rng).vertices
    for (p, q) in zip(tet.vertices, turned) { XCTAssertEqual((p * p).sum(), (q * q).sum(), accuracy: 1e-5) }
    let (x, y, z) = (turned[1], turned[2], turned[3])
    let det = x.x * (y.y * z.z - y.z * z.y) - x.y * (y.x * z.z - y.z * z.x) + x.z * (y.x * z.y - y.y * z.x)
    XCTAssertEqual(det, 1, accuracy: 1e-5)
    XCTAssertNotEqual(turned, tet.vertices)
  }

  func testDatasetLayoutSplitsAndPerObjectSeeds() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var d = ViewDataset()
    (d.views, d.size, d.validationShare, d.testShare) = (2, 8, 0.2, 0.2)
    func write(_ count: Int, _ name: String) throws -> URL {
      let root = dir.appendingPathComponent(name)
      try d.write(category: "lamps", singular: "lamp", count: count, seed: 4, to: root, name: { "lamp_\($0)" },
                  mesh: { _, rng in ProceduralShape.make(.lamps, rng: &rng) })
      return root
    }
    let five = try write(5, "five"), three = try write(3, "three")
    let splits = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: five.appendingPathComponent("lamp_splits.json"))) as? [String: [String]])
    XCTAssertEqual(Set(splits.keys), ["train", "val", "test"])
    XCTAssertEqual(splits["test"]?.count, 1)
    XCTAssertEqual(splits["val"]?.count, 1)
    XCTAssertEqual(Set(splits.values.joined()), Set((0..<5).map { "lamp_\($0)" }))
    XCTAssertEqual(splits.values.joined().count, 5)
    let a = try MultiViewScene.load(five.appendingPathComponent("lamps/lamp_2")), b = try MultiViewScene.load(three.appendingPathComponent("lamps/lamp_2"))
    XCTAssertEqual(a.cameras, b.cameras)
    XCTAssertEqual(a.views.map(\.pixels.scalars), b.views.map(\.pixels.scalars))  // object 2 does not depend on the count
    XCTAssertNotEqual(a.cameras, try MultiViewScene.load(five.appendingPathComponent("lamps/lamp_1")).cameras)
    XCTAssertThrowsError(try write(2, "five")) { XCTAssert("\($0)".contains("already exists"), "\($0)") }
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["five", "three"])  // nothing staged left
  }

  /// LearnIt's layout read back: the splits, objects with missing pieces skipped with a warning, views on white.
  func testLearnItFolderReadsSplitsAndSkipsBrokenObjects() throws {
    let dir = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var d = ViewDataset()
    (d.views, d.size, d.validationShare, d.testShare) = (2, 8, 0, 0)
    let root = dir.appendingPathComponent("learnit_shapenet")
    try d.write(category: "lamps", singular: "lamp", count: 5, seed: 1, to: root, name: { "l\($0)" },
                mesh: { _, rng in ProceduralShape.make(.lamps, rng: &rng) })
    let fm = FileManager.default
    try fm.removeItem(at: root.appendingPathComponent("lamps/l1/transforms.json"))
    try fm.removeItem(at: root.appendingPathComponent("lamps/l3/r_001.png"))
    let train = try LearnItFolder(root: root, category: "lamps", split: "train")
    XCTAssertEqual(Set(train.objects.map(\.lastPathComponent)), ["l0", "l2", "l4"])
    XCTAssertEqual(train.warnings.count, 2)
    XCTAssert(train.warnings.contains { $0.contains("l1") && $0.contains("transforms.json") }, "\(train.warnings)")
    XCTAssert(train.warnings.contains { $0.contains("l3") && $0.contains("r_001.png: is missing") }, "\(train.warnings)")
    let scene = try train.scene(0)
    XCTAssertEqual(scene.views.count, 2)
    XCTAssertEqual(scene.views[0].channels, 3)
    XCTAssertEqual(scene.views[0].pixels.scalars.prefix(3), [1, 1, 1])  // a background corner, white
    func problem(_ split: String = "train", splits: String? = nil) -> String {
      if let splits { try? splits.write(to: root.appendingPathComponent("lamp_splits.json"), atomically: true, encoding: .utf8) }
      do { _ = try LearnItFolder(root: root, category: "lamps", split: split); return "opened" } catch { return "\(error)" }
    }
    XCTAssert(problem("dev").contains("no list of object ids named 'dev' (it has: test, train, val)"))
    XCTAssert(problem(splits: #"{"train": ["../../etc"]}"#).contains("is not a folder name"))
    XCTAssert(problem(splits: #"{"train": ["l1"]}"#).contains("has no usable object of split 'train'"))
    XCTAssert(problem(splits: "[1, 2]").contains("is not a JSON object"))
    // A category whose singular drops "es" (meshes: mesh_splits.json), as make-views writes it.
    let other = dir.appendingPathComponent("real")
    try d.write(category: "meshes", singular: "mesh", count: 2, seed: 1, to: other, name: { "m\($0)" },
                mesh: { _, _ in ProceduralShape.sphere(centre: .zero, radius: 0.8, segments: 8) })
    XCTAssertEqual(try LearnItFolder(root: other, category: "meshes", split: "train").objects.count, 2)
  }
}
