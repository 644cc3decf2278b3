import Foundation
import HyperTensor

/// A pinhole camera in the NeRF / Blender convention of multi-view data sets (`transforms.json`): the
/// camera-to-world matrix maps camera axes x right, y up, z towards the viewer (the camera looks along
/// -z) into world space, whose up axis is +z; `angleX` is the horizontal field of view
/// (`camera_angle_x`), so the focal length is W / (2 tan(angleX / 2)) pixels, square pixels.
public struct PinholeCamera: Equatable {
  public var width: Int, height: Int
  public var angleX: Float
  /// Rows of the 4 x 4 camera-to-world matrix (the last row is 0 0 0 1).
  public var cameraToWorld: [SIMD4<Float>]

  public init(width: Int, height: Int, angleX: Float, cameraToWorld: [SIMD4<Float>]) {
    precondition(cameraToWorld.count == 4, "a camera-to-world matrix has 4 rows")
    self.width = width
    self.height = height
    self.angleX = angleX
    self.cameraToWorld = cameraToWorld
  }

  public var focal: Float { Float(width) / (2 * Foundation.tan(angleX / 2)) }

  /// The camera centre in world space.
  public var position: SIMD3<Float> { SIMD3(cameraToWorld[0].w, cameraToWorld[1].w, cameraToWorld[2].w) }

  /// The ray through image point (x, y) in pixels from the top-left corner (pixel (i, j)'s centre is
  /// (i + 0.5, j + 0.5), as a renderer samples it; NeRF's get_rays aims at (i, j), half a pixel off):
  /// origin at the camera centre, unit direction.
  public func ray(x: Float, y: Float) -> (origin: SIMD3<Float>, direction: SIMD3<Float>) {
    let f = focal
    let c = SIMD3<Float>((x - Float(width) / 2) / f, -(y - Float(height) / 2) / f, -1)
    let r = cameraToWorld
    let d = SIMD3<Float>((SIMD3(r[0].x, r[0].y, r[0].z) * c).sum(), (SIMD3(r[1].x, r[1].y, r[1].z) * c).sum(),
                         (SIMD3(r[2].x, r[2].y, r[2].z) * c).sum())
    return (position, d / (d * d).sum().squareRoot())
  }

  /// Whether 4 rows are a camera-to-world matrix: an orthonormal rotation of determinant 1 (to 1e-3), a
  /// translation, and the last row 0 0 0 1.
  public static func isRigid(_ m: [SIMD4<Float>]) -> Bool {
    guard m.count == 4, m[3] == SIMD4(0, 0, 0, 1) else { return false }
    let c = (0..<3).map { j in SIMD3(m[0][j], m[1][j], m[2][j]) }
    for i in 0..<3 { for j in 0..<3 where abs((c[i] * c[j]).sum() - (i == j ? 1 : 0)) > 1e-3 { return false } }
    return ((cross(c[0], c[1]) - c[2]) * (cross(c[0], c[1]) - c[2])).sum() < 1e-5
  }

  /// The rays through every pixel centre, row by row: origins and unit directions, each [height * width, 3].
  public func rays() -> (origins: Tensor, directions: Tensor) {
    var d: [Float] = []
    d.reserveCapacity(width * height * 3)
    for y in 0..<height {
      for x in 0..<width {
        let r = ray(x: Float(x) + 0.5, y: Float(y) + 0.5).direction
        d += [r.x, r.y, r.z]
      }
    }
    let o = position, n = width * height
    return (Tensor(shape: [n, 3], scalars: Array((0..<n).map { _ in [o.x, o.y, o.z] }.joined())), Tensor(shape: [n, 3], scalars: d))
  }

  /// The camera-to-world matrix of a camera at `eye` looking at `target`, its image up as close to the
  /// world's +z as possible (+y when it looks straight up or down).
  public static func lookAt(eye: SIMD3<Float>, target: SIMD3<Float> = .zero) -> [SIMD4<Float>] {
    let back = unitVector(eye - target)  // camera +z
    var up = SIMD3<Float>(0, 0, 1)
    if abs((back * up).sum()) > 0.999 { up = SIMD3(0, 1, 0) }
    let right = unitVector(cross(up, back)), trueUp = cross(back, right)
    return [SIMD4(right.x, trueUp.x, back.x, eye.x), SIMD4(right.y, trueUp.y, back.y, eye.y),
            SIMD4(right.z, trueUp.z, back.z, eye.z), SIMD4(0, 0, 0, 1)]
  }

  /// `count` cameras at distance `radius` from the origin, looking at it, from directions uniform over
  /// the sphere (z uniform in [-1, 1], azimuth uniform), drawn from `rng`.
  public static func orbit(count: Int, radius: Float, width: Int, height: Int, angleX: Float,
                           rng: inout RandomGenerator) -> [PinholeCamera] {
    (0..<count).map { _ in
      let z = 2 * rng.nextFloat() - 1, phi = 2 * Float.pi * rng.nextFloat(), s = (1 - z * z).squareRoot()
      let eye = radius * SIMD3<Float>(s * Foundation.cos(phi), s * Foundation.sin(phi), z)
      return PinholeCamera(width: width, height: height, angleX: angleX, cameraToWorld: lookAt(eye: eye))
    }
  }
}

/// v / |v|.
func unitVector(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }
