import Foundation
import HyperTensor

/// The objects of a LearnIt-layout split as training items for view synthesis: object i is the tensor
/// [V, S, S, 9] of its first V views, each pixel holding its colour on white, its ray's origin and its
/// unit direction (the channels of Trans-INR's ray tokens, Sec. 4.2). Every object must have at least V
/// views of S x S; one that does not is an error naming it.
public struct ViewObjectSet: SignalSet {
  public let folder: LearnItFolder
  public let views: Int
  public let size: Int

  public init(_ folder: LearnItFolder, views: Int, size: Int) {
    self.folder = folder
    self.views = views
    self.size = size
  }

  public var count: Int { folder.objects.count }

  /// The channels of a view's pixels: RGB, ray origin, ray direction.
  public static let channels = 9

  public func batch(_ indices: [Int], seed: UInt64) throws -> Tensor {
    Tensor.stack(try indices.map { try item($0) }, axis: 0)
  }

  /// Object i as [V, S, S, 9].
  public func item(_ i: Int) throws -> Tensor { try Self.item(folder.scene(i), path: folder.objects[i].path, views: views, size: size) }

  /// The first `views` views of a scene (RGB) with their rays, [V, S, S, 9]; errors name `path`.
  public static func item(_ scene: MultiViewScene, path: String, views: Int, size: Int) throws -> Tensor {
    guard scene.views.count >= views else { throw SignalError(path, "has \(scene.views.count) views, fewer than the \(views) the task uses") }
    guard scene.cameras[0].width == size else {
      throw SignalError(path, "has views of \(scene.cameras[0].width)x\(scene.cameras[0].width), not the task's \(size)x\(size)")
    }
    return Tensor.stack((0..<views).map { rayPixels(scene.views[$0], scene.cameras[$0]) }, axis: 0)
  }

  /// A view's pixels with their rays, [H, W, 9].
  public static func rayPixels(_ view: Image, _ camera: PinholeCamera) -> Tensor {
    let (o, d) = camera.rays()
    return Tensor.concat([view.pixels.reshaped([view.height * view.width, 3]), o, d], axis: 1).reshaped([view.height, view.width, channels])
  }
}
