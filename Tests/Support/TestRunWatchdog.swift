import Foundation
import Glibc

/// Ends a test run that has hung, saying what it was doing.
///
/// A child that never exits, or a wait nothing will end, would otherwise
/// hold `swift test` (and CI) until an outside time limit, with the test
/// output still in its buffer and nothing said. After ``limit`` (20 minutes;
/// a whole run takes two to three on a loaded 2-core machine), the watchdog
/// flushes the output, writes to standard error the processes under the
/// test process and every thread's stack (when `gdb` is installed), and
/// exits with status 70. A hang at exit (an `atexit` handler stopping the
/// PostgreSQL server) is caught too: the thread still runs then.
///
/// It is armed by ``TemporaryDirectory``, which nearly every test makes,
/// and only in the test runner (`….xctest`): the benchmark harness, which
/// shares this module, runs far longer on purpose.
enum TestRunWatchdog {
    /// How long a test run may take; `NACHET_TEST_RUN_LIMIT` (seconds)
    /// overrides it.
    static let limit: Duration = {
        let configured = ProcessInfo.processInfo.environment["NACHET_TEST_RUN_LIMIT"].flatMap(Int.init)
        return .seconds(configured ?? 1200)
    }()

    /// Starts the watchdog once, in the test runner only.
    static func arm() { _ = armed }

    private static let armed: Bool = {
        guard CommandLine.arguments.first?.hasSuffix(".xctest") == true else { return false }
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds))
            reportAndExit()
        }
        thread.name = "test-run-watchdog"
        thread.start()
        return true
    }()

    private static func reportAndExit() -> Never {
        fflush(nil)
        let pid = getpid()
        say("\n[test run watchdog] the test run has gone on for \(limit): it has hung. Thread stacks of the test process:\n")
        shell("command -v gdb >/dev/null && timeout 120 gdb -p \(pid) -batch -ex 'thread apply all bt 12' 2>&1 | grep -E '^(Thread|#)' | cut -c1-160 || echo 'gdb is not installed'")
        // Last, as a log's tail is what is read: the processes under the
        // test process, with their arguments (a hung child names its test).
        say("[test run watchdog] processes under the test process (pid \(pid)):\n")
        shell(
            "ps -eo pid,ppid,etimes,stat,args --forest | awk -v root=\(pid) 'NR==1{print;next} {parent[$1]=$2; line[$1]=$0; order[NR]=$1} END{for(i=2;i<=NR;i++){p=order[i]; q=p; while(q!=\"\" && q!=root && q!=1 && q!=0) q=parent[q]; if(q==root && line[p] !~ /ps -eo|awk -v root/) print substr(line[p],1,240)}}'"
        )
        say("[test run watchdog] stopping the run (exit 70); the tests started and not ended above are the suspects.\n")
        // Not exit(): the hang may be in an exit handler, still running.
        _exit(70)
    }

    private static func say(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }

    private static func shell(_ command: String) {
        guard let process = try? SpawnedProcess("/bin/sh", ["-c", command], output: .inherited, error: .inherited) else { return }
        try? process.waitUntilExit(killingAfter: .seconds(180))
    }
}
