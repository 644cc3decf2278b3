import Foundation
import HyperTensor

/// Renders RGBA views of a triangle mesh for multi-view data sets: rays cast through a `TriangleBVH`,
/// Lambertian shading under one fixed directional light plus ambient light, c = albedo (ambient +
/// (1 - ambient) max(0, n . l)) with the normal turned towards the viewer (meshes need not be closed or
/// consistently wound), and `samples` x `samples` rays per pixel: alpha is the share of rays that hit,
/// the colour their mean (straight, not premultiplied, alpha; background transparent).
public struct ViewRenderer {
  /// The surface colour at a point (world coordinates).
  public enum Albedo: Equatable {
    case solid(SIMD3<Float>)
    /// One colour above z = split, another below (a seat and legs, a shade and a stand).
    case twoTone(top: SIMD3<Float>, bottom: SIMD3<Float>, split: Float)
    /// A 3-D checkerboard of cubes of side `cell`.
    case checker(SIMD3<Float>, SIMD3<Float>, cell: Float)

    public func color(at p: SIMD3<Float>) -> SIMD3<Float> {
      switch self {
      case .solid(let c): return c
      case .twoTone(let top, let bottom, let split): return p.z >= split ? top : bottom
      case .checker(let c0, let c1, let cell):
        let k = (p / cell).rounded(.down)
        return Int(k.x + k.y + k.z) & 1 == 0 ? c0 : c1
      }
    }

    /// A seeded random albedo: each kind equally likely, colours uniform in [0.15, 0.95]^3.
    public static func random(rng: inout RandomGenerator) -> Albedo {
      func colour() -> SIMD3<Float> { SIMD3(0.15 + 0.8 * rng.nextFloat(), 0.15 + 0.8 * rng.nextFloat(), 0.15 + 0.8 * rng.nextFloat()) }
      switch rng.nextInt(below: 3) {
      case 0: return .solid(colour())
      case 1: return .twoTone(top: colour(), bottom: colour(), split: 0.6 * rng.nextFloat() - 0.3)
      default: return .checker(colour(), colour(), cell: 0.15 + 0.25 * rng.nextFloat())
      }
    }
  }

  public let bvh: TriangleBVH
  public var albedo: Albedo
  /// Unit direction towards the light (world space).
  public var light = unitVector(SIMD3<Float>(0.4, -0.3, 0.85))
  public var ambient: Float = 0.35
  /// Rays per pixel along each axis.
  public var samples = 2

  public init(mesh: Mesh, albedo: Albedo) {
    bvh = TriangleBVH(mesh)
    self.albedo = albedo
  }

  /// The shaded colour where the ray (origin, unit direction) first meets the mesh, or nil.
  public func shade(origin: SIMD3<Float>, direction d: SIMD3<Float>) -> SIMD3<Float>? {
    guard let hit = bvh.intersect(origin: origin, direction: d) else { return nil }
    let n = (hit.normal * d).sum() > 0 ? -hit.normal : hit.normal
    let lambert = max(0, (n * light).sum())
    return albedo.color(at: origin + hit.distance * d) * (ambient + (1 - ambient) * lambert)
  }

  /// The view from `camera`: [height, width, 4] RGBA in [0, 1].
  public func render(_ camera: PinholeCamera) -> Image {
    let w = camera.width, h = camera.height, s = max(1, samples)
    var out = [Float](repeating: 0, count: w * h * 4)
    out.withUnsafeMutableBufferPointer { buf in
      let base = buf.baseAddress!
      Parallel.forEachChunk(h, minPerThread: 1, align: 1) { rows in
        for y in rows {
          for x in 0..<w {
            var sum = SIMD3<Float>.zero, hits = 0
            for sy in 0..<s {
              for sx in 0..<s {
                let ray = camera.ray(x: Float(x) + (Float(sx) + 0.5) / Float(s), y: Float(y) + (Float(sy) + 0.5) / Float(s))
                if let c = shade(origin: ray.origin, direction: ray.direction) { sum += c; hits += 1 }
              }
            }
            let p = base + (y * w + x) * 4
            if hits > 0 {
              let c = sum / Float(hits)
              p[0] = c.x; p[1] = c.y; p[2] = c.z
            }
            p[3] = Float(hits) / Float(s * s)
          }
        }
      }
    }
    return Image(pixels: Tensor(shape: [h, w, 4], scalars: out))
  }
}
