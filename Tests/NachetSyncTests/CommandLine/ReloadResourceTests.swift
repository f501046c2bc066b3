import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// `watch` reloaded again and again, as a lab PC's agent is over months
/// (every `systemctl reload`, every edit of its configuration): each reload
/// closes what the one before opened, so descriptors and memory stay flat.
@Suite("nachet-sync watch: reloads hold nothing of the configurations they replace")
struct ReloadResourceTests {
    /// Reloads in the test: each waits for the watcher of the new
    /// configuration to be ready (its `READY=1`), so a leak of one
    /// descriptor a reload shows as 1,000 more.
    static let reloads = 1_000
    /// Reloads made before the baseline is taken: caches and arenas filled.
    static let warmUp = 50
    /// Descriptors more than at the baseline allowed at the end: a reader
    /// thread of the watcher just replaced may still be closing its inotify
    /// descriptor (it wakes every 500 ms).
    static let descriptorTolerance = 2
    /// Resident memory more than at the baseline allowed at the end (the
    /// leak was about 0.3 MB a reload: 300 MB over the test).
    static let memoryTolerance = 16 << 20

    @Test func aThousandReloadsKeepDescriptorsAndMemoryFlat() async throws {
        let setUp = try await OnePictureDropFolder { state, drop in
            ["NACHET_SYNC_STATE_DIR=\(state)", "NACHET_SYNC_DROP_DIR=\(drop)", "NACHET_SYNC_STABILITY_WINDOW=0"]
        }
        let state = setUp.state

        let watch = try RunningWatch(arguments: ["--config", setUp.config, "--log-level", "warning"], directory: setUp.directory)
        let pid = watch.process.processIdentifier
        try #require(try await Self.ready(watch, count: 1, within: .seconds(120)), "\(watch.log)")
        #expect(try await eventually { Self.pictures(in: state) == 1 }, "the picture is stored: \(watch.log)")

        var baseline: (descriptors: Int, memory: Int)?
        var samples: [String] = []
        var done = 0
        let start = ContinuousClock.now
        for reload in 1...Self.reloads {
            kill(pid, SIGHUP)
            guard try await Self.ready(watch, count: reload + 1, within: .seconds(60)) else {
                Issue.record("reload \(reload) not done within 60 s: \(watch.log.suffix(2000))")
                break
            }
            done = reload
            guard reload == Self.warmUp || reload % 100 == 0 else { continue }
            let now = (descriptors: Self.descriptors(of: pid), memory: Self.residentMemory(of: pid))
            samples.append("\(reload): \(now.descriptors) fds, \(now.memory >> 10) KiB")
            if reload == Self.warmUp { baseline = now }
            // A leak shows long before the last reload: stop there.
            if let baseline, now.descriptors > baseline.descriptors + 50 { break }
        }
        let elapsed = ContinuousClock.now - start
        let base = try #require(baseline)
        #expect(
            try await eventually(within: .seconds(10)) { Self.descriptors(of: pid) <= base.descriptors + Self.descriptorTolerance },
            "descriptors: \(samples)")
        #expect(Self.residentMemory(of: pid) <= base.memory + Self.memoryTolerance, "resident memory: \(samples)")
        #expect(!watch.log.contains(" error "), "\(watch.log.suffix(2000))")
        #expect(try await watch.stop() == 0)
        print("\(done) reloads in \(elapsed): \(samples.joined(separator: "; "))")

        // Still working after them all.
        #expect(Self.pictures(in: state) == 1)
    }

    /// Waits until `watch` has sent `READY=1` `count` times (once per run of
    /// its watcher: at start, then after each reload).
    static func ready(_ watch: RunningWatch, count: Int, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if watch.messages.count(where: { $0.hasPrefix("READY=1") }) >= count { return true }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    /// The process's open descriptors.
    static func descriptors(of pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The process's resident memory, in bytes.
    static func residentMemory(of pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") ?? 0) << 10
    }

    /// The pictures of the embedded catalogue.
    static func pictures(in state: String) -> Int {
        Int((try? SQLiteDatabase(path: state + "/catalogue.sqlite", readOnly: true).query("SELECT count(*) FROM picture").first?[0].integer) ?? -1)
    }
}
