// swift-tools-version: 6.1
import PackageDescription

// No `unsafeFlags` anywhere: the package must build identically as a root package and as somebody's
// dependency. Fast code generation comes from the CKernels target, whose hot loops are compiled twice
// (AVX2+FMA via function target attributes, and the baseline ISA) and picked at run time.
let package = Package(
  name: "HyperINR",
  products: [
    .library(name: "HyperTensor", targets: ["HyperTensor"]),
    .library(name: "HyperNN", targets: ["HyperNN"]),
    .library(name: "Signals", targets: ["Signals"]),
    .library(name: "NeuralFields", targets: ["NeuralFields"]),
    .library(name: "Hypernetworks", targets: ["Hypernetworks"]),
    .executable(name: "hyperinr", targets: ["hyperinr"]),
    .executable(name: "hyperinr-bench", targets: ["hyperinr-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    .target(name: "CKernels"),
    .target(name: "HyperTensor", dependencies: ["CKernels"]),
    .target(name: "HyperNN", dependencies: ["HyperTensor", "CKernels"]),
    .target(
      name: "CImageCodecs",
      linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]),
    .target(name: "Signals", dependencies: ["HyperTensor", "CImageCodecs"]),
    .target(name: "NeuralFields", dependencies: ["HyperNN", "Signals"]),
    .target(name: "Hypernetworks", dependencies: ["NeuralFields", "CImageCodecs"]),
    .executableTarget(
      name: "hyperinr",
      dependencies: ["HyperNN", "NeuralFields", "Signals", "Hypernetworks", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                     .product(name: "Yams", package: "Yams")],
      resources: [.copy("Resources")]),
    .executableTarget(
      name: "hyperinr-fuzz",
      dependencies: ["HyperTensor", "HyperNN", "NeuralFields", "Signals", "Hypernetworks", .product(name: "Yams", package: "Yams")]),
    .executableTarget(
      name: "hyperinr-bench",
      dependencies: ["HyperNN", "NeuralFields", "Signals", "Hypernetworks", .product(name: "Yams", package: "Yams")]),
    .testTarget(name: "HyperTensorTests", dependencies: ["HyperTensor"], exclude: ["Fixtures"]),
    .testTarget(
      name: "HyperNNTests", dependencies: ["HyperNN"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SignalsTests", dependencies: ["Signals", "HyperNN"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "NeuralFieldsTests", dependencies: ["NeuralFields"]),
    .testTarget(name: "CLITests", dependencies: ["hyperinr", "hyperinr-fuzz"], resources: [.copy("Fixtures")]),
    .testTarget(name: "HypernetworksTests", dependencies: ["Hypernetworks"], resources: [.copy("Fixtures")]),
  ],
  swiftLanguageModes: [.v5]
)
