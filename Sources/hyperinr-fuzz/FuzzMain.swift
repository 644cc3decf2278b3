import Foundation
import HyperTensor

// Built normally, `hyperinr-fuzz TARGET [--mutations N] FILE_OR_FOLDER...` replays inputs through a
// target (the seed corpora in fuzz/corpus, a crash file) and prints how many were accepted and refused.
// Built for libFuzzer (fuzz/run.sh: -sanitize=fuzzer -DFUZZING -parse-as-library), libFuzzer's own main
// drives the target named by HYPERINR_FUZZ_TARGET.
#if FUZZING
nonisolated(unsafe) private var target: FuzzTarget?

/// libFuzzer's driver (its own `main` is not linked: SwiftPM names this module's entry point).
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// The entry point SwiftPM links as `main` for this executable target.
@_cdecl("hyperinr_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
  var count = argc, values = argv
  return runDriver(&count, &values, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  if target == nil {
    guard let t = ProcessInfo.processInfo.environment["HYPERINR_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:)) else {
      fatalError("set HYPERINR_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    target = t
  }
  target?.run(Data(bytes: bytes, count: count))
  return 0
}
#else
@main
enum FuzzMain {
  static func main() {
    // Replay: hyperinr-fuzz TARGET [--mutations N] FILE_OR_FOLDER...; with --mutations, also N seeded
    // mutants of every input (byte flips, overwrites with 0x00/0xFF/0x7F, truncations, duplicated spans):
    // the CI smoke run, seconds instead of libFuzzer's hours.
    var args = Array(CommandLine.arguments.dropFirst())
    var mutations = 0
    if let i = args.firstIndex(of: "--mutations"), i + 1 < args.count, let n = Int(args[i + 1]), n >= 0 {
      mutations = n
      args.removeSubrange(i...(i + 1))
    }
    guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count > 1 else {
      FileHandle.standardError.write(Data("usage: hyperinr-fuzz TARGET [--mutations N] FILE_OR_FOLDER... (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
      exit(64)
    }
    var files: [URL] = []
    for path in args.dropFirst() {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        FileHandle.standardError.write(Data("hyperinr-fuzz: error: \(path): does not exist\n".utf8))
        exit(1)
      }
      if isDir.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += names.sorted().filter { !$0.hasPrefix(".") }.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
      } else {
        files.append(URL(fileURLWithPath: path))
      }
    }
    var inputs = 0, accepted = 0
    for (k, f) in files.enumerated() {
      guard let d = FileManager.default.contents(atPath: f.path) else { continue }
      var rng = RandomGenerator(seed: UInt64(k) + 1)
      for m in 0...mutations {
        inputs += 1
        if target.run(m == 0 ? d : Mutator.mutate(d, rng: &rng)) { accepted += 1 }
      }
    }
    print("\(target.rawValue): \(inputs) inputs, \(accepted) accepted, \(inputs - accepted) refused, no crash")
  }
}
#endif
