import Foundation

/// The environment variables HyperTensor reads, parsed in one place so that a program can reject a bad
/// value with a clear message instead of silently using the default.
public enum EnvironmentSettings {
  /// `HYPERINR_THREADS`: the worker count (a positive integer).
  public static let threadsVariable = "HYPERINR_THREADS"
  /// `HYPERINR_POOL_MB`: the buffer cache bound in MiB (an integer >= 0).
  public static let poolVariable = "HYPERINR_POOL_MB"
  /// `HYPERINR_ISA`: caps the kernel variant (read by CKernels itself).
  public static let isaVariable = "HYPERINR_ISA"
  static let isaValues = ["avx512", "avx2", "baseline"]
  /// `HYPERINR_MEMORY_MB`: the memory a command may plan to use, in MiB (a positive integer; default: half
  /// of the physical memory). Commands estimate their largest tensors first and stop with one line above it.
  public static let memoryVariable = "HYPERINR_MEMORY_MB"

  private static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

  /// The worker count asked for, when the variable holds a valid one.
  static var threads: Int? { value(threadsVariable).flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } }
  /// The cache bound asked for, when the variable holds a valid one.
  static var poolMB: Int? { value(poolVariable).flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil } }
  /// The memory budget in bytes: HYPERINR_MEMORY_MB, or half of the physical memory.
  public static var memoryBudget: Int {
    value(memoryVariable).flatMap(Int.init).flatMap { $0 > 0 ? $0 << 20 : nil } ?? Int(ProcessInfo.processInfo.physicalMemory / 2)
  }

  /// nil if `bytes` fits `memoryBudget`, else one line saying what would need how much, and `advice`.
  public static func memoryProblem(_ bytes: Int, for what: String, advice: String) -> String? {
    let budget = memoryBudget
    guard bytes > budget else { return nil }
    func gb(_ b: Int) -> String { String(format: "%.1f GB", Double(b) / 1e9) }
    return "\(what) would need about \(gb(bytes)), more than the \(gb(budget)) allowed (HYPERINR_MEMORY_MB, default half the memory); \(advice)"
  }

  /// One line per variable that is set to something HyperTensor cannot use (empty when all are fine).
  public static var problems: [String] {
    var out: [String] = []
    if let v = value(threadsVariable), threads == nil { out.append("\(threadsVariable)='\(v)': expected a positive integer") }
    if let v = value(poolVariable), poolMB == nil { out.append("\(poolVariable)='\(v)': expected an integer >= 0 (MiB)") }
    if let v = value(memoryVariable), (Int(v) ?? 0) <= 0 { out.append("\(memoryVariable)='\(v)': expected a positive integer (MiB)") }
    if let v = value(isaVariable), !isaValues.contains(v) {
      out.append("\(isaVariable)='\(v)': expected one of \(isaValues.joined(separator: ", "))")
    }
    return out
  }
}
