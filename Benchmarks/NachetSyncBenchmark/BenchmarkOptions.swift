import Foundation

/// The harness's command line: sizes of each case, quick mode, JSON output.
struct BenchmarkOptions {
    /// Tiny sizes, for CI's check that the harness runs.
    var quick = false
    /// Where to write the JSON results, if anywhere.
    var jsonPath: String?
    /// Only the cases whose names start with one of these (all when empty).
    var only: [String] = []
    /// Files of the restart case (full size: 100,000).
    var restartFiles = 100_000

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick":
                quick = true
                restartFiles = 2_000
            case "--json":
                jsonPath = iterator.next()
            case "--only":
                only.append(iterator.next() ?? "")
            case "--restart-files":
                restartFiles = iterator.next().flatMap(Int.init) ?? restartFiles
            case "--help", "-h":
                print(
                    """
                    usage: nachet-sync-benchmark [--quick] [--json FILE] [--only CASE]… [--restart-files N]
                    Cases (a CASE selects those whose names start with it): hashing, catalogue, local,
                    local-1gib, azure (azure-2000x2048KiB, azure-20000x50KiB, azure-5x1048576KiB), restart,
                    far-postgres-rescan, far-postgres-new, far-azure (issue 13: 20 ms away), latency, idle,
                    api-loopback, api-far, api-1gib (issue 14: through nachet-sync serve), fleet-serve,
                    fleet-agent (issue 23: the fleet's cost to serve and to an agent).
                    """)
                exit(0)
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument) (try --help)\n".utf8))
                exit(64)
            }
        }
    }

    /// `full` normally, `quick` in quick mode.
    func size<T>(_ full: T, quick small: T) -> T { quick ? small : full }

    /// Whether the case named `name` is to run.
    func runs(_ name: String) -> Bool { only.isEmpty || only.contains { name.hasPrefix($0) } }
}
