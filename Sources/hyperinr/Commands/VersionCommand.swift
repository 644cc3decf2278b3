import ArgumentParser

struct Version: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the HyperINR version.")
  func run() { print("hyperinr \(HyperINR.version)") }
}
