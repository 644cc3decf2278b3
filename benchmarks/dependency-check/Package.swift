// swift-tools-version: 6.1
// A consumer package that depends on HyperINR as an ordinary dependency (no flags of its own), to show
// that the fast kernels do not depend on root-package build settings.
// Run from this folder: swift run -c release dependency-check
import PackageDescription

let package = Package(
  name: "DependencyCheck",
  dependencies: [.package(name: "HyperINR", path: "../..")],
  targets: [
    .executableTarget(name: "dependency-check", dependencies: [.product(name: "HyperTensor", package: "HyperINR")],
                      path: "Sources/DependencyCheck")
  ]
)
