import ArgumentParser
import Foundation
import HyperTensor

@main
struct HyperINR: ParsableCommand {
  static let version = "0.1.0"

  /// Rejects unusable HYPERINR_* environment variables before any command runs, then parses the arguments.
  static func main() {
    let problems = EnvironmentSettings.problems
    if !problems.isEmpty {
      FileHandle.standardError.write(Data(problems.map { "hyperinr: error: \($0)\n" }.joined().utf8))
      Foundation.exit(1)
    }
    main(attachingNegativeValues(Array(CommandLine.arguments.dropFirst())))
  }

  /// `--steps -1` becomes `--steps=-1` (and `--pose -30,20` `--pose=-30,20`): the argument parser would
  /// read "-1" as an option and answer "Missing value"; attached, the value reaches the option's own check.
  static func attachingNegativeValues(_ args: [String]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < args.count {
      let a = args[i]
      if a.hasPrefix("--"), !a.contains("="), i + 1 < args.count, args[i + 1].count > 1, args[i + 1].hasPrefix("-"),
         Double(args[i + 1]) != nil || args[i + 1].range(of: "^-[0-9.][0-9.,eE+-]*$", options: .regularExpression) != nil {
        out.append(a + "=" + args[i + 1])
        i += 2
      } else {
        out.append(a)
        i += 1
      }
    }
    return out
  }

  static let configuration = CommandConfiguration(
    commandName: "hyperinr",
    abstract: "Hypernetworks that generate implicit neural representations (INRs), on the CPU.",
    discussion: """
      HyperINR fits, trains, encodes and evaluates neural fields with its own tensor engine \
      (tape-based autograd, SIMD GEMM).

      Environment: HYPERINR_THREADS sets the worker count, HYPERINR_ISA=avx2 or baseline caps the \
      kernel variant (default: the best this CPU has), HYPERINR_POOL_MB bounds the buffer cache \
      (MiB), HYPERINR_MEMORY_MB the memory a fit may plan to use (MiB; default half the RAM). A value that \
      cannot be used is an error.
      """,
    version: version,
    subcommands: [Demo.self, Fit.self, Decode.self, Eval.self, Compress.self, Decompress.self, RateDistortion.self, Train.self, Reconstruct.self, Evaluate.self, RenderViews.self, MakeViews.self, Render.self, Backbone.self, Info.self, Version.self])
}
