import Foundation
import Glibc
import NachetSyncTestSupport

/// A program run to completion, timed, with its peak memory.
struct ChildRun {
    var status: Int32
    var seconds: Double
    /// Peak resident set size of the child (its `VmHWM`, sampled every 5 ms).
    var peakRSSKiB: Int
    /// Standard output and error together.
    var output: String

    /// The longest any child of the harness may run: far beyond the
    /// slowest full-size case, so only a hang reaches it.
    static let limit = Duration.seconds(3600)

    /// Runs `executable` with `arguments` (and `environment` added to this
    /// process's), output to a temporary file, and waits for it; a child
    /// still running after ``limit`` is killed and the run throws.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildRun {
        let outputPath = NSTemporaryDirectory() + "/nachet-bench-" + UUID().uuidString
        defer { unlink(outputPath) }
        // Timed from before the spawn: a short child may have ended by the
        // time posix_spawn returns.
        let clock = ContinuousClock()
        let start = clock.now
        let process = try spawn(executable, arguments, environment: environment, outputPath: outputPath)
        // The peak comes from the child's own VmHWM, read while it runs:
        // wait4's ru_maxrss would count this process's memory, which a
        // spawned child shares until it execs.
        var peak = 0
        while process.isRunning {
            guard clock.now - start < limit else {
                process.forceStop()
                throw BenchmarkError("\(process.name) ran longer than \(limit); killed")
            }
            peak = max(peak, highWaterMarkKiB(of: process.pid))
            usleep(5_000)
        }
        let elapsed = clock.now - start
        return ChildRun(
            status: process.exitedNormally ? process.terminationStatus : 128 + process.terminationStatus,
            seconds: Seconds.of(elapsed),
            peakRSSKiB: peak,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        )
    }

    /// Starts `executable` with this process's environment (without its
    /// `NACHET_*` settings) and `environment`, its output and errors into
    /// `outputPath`.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], outputPath: String) throws -> SpawnedProcess {
        let merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }.merging(environment) { $1 }
        return try SpawnedProcess(executable, arguments, environment: merged, output: .file(outputPath), error: nil)
    }

    /// `VmHWM` of a running process, in KiB; 0 once it has exited.
    static func highWaterMarkKiB(of pid: pid_t) -> Int {
        memoryKiB("VmHWM", of: pid)
    }

    /// `VmRSS` of a running process (resident now), in KiB; 0 once it has exited.
    static func residentKiB(of pid: pid_t) -> Int {
        memoryKiB("VmRSS", of: pid)
    }

    private static func memoryKiB(_ field: String, of pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// User plus system clock ticks of `pid` so far.
    static func cpuTicks(of pid: pid_t) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces) in parentheses.
        guard let close = stat.lastIndex(of: ")") else { throw BenchmarkError("cannot read /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw BenchmarkError("cannot read /proc/\(pid)/stat")
        }
        return user + system
    }

    /// The full path of `name` on `PATH`, or `nil` when it is not installed.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Throws with the output unless the program exited 0.
    @discardableResult
    func checked(_ what: String) throws -> ChildRun {
        guard status == 0 else { throw BenchmarkError("\(what) failed (status \(status)): \(output.suffix(2000))") }
        return self
    }
}

/// A case that could not run.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Seconds {
    static func of(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Seconds taken by `body`.
    static func measure(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        return of(ContinuousClock.now - start)
    }
}
