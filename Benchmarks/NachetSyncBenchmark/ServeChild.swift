import Foundation
import Glibc
import NachetSyncTestSupport

/// `nachet-sync serve` as a child process over an embedded datastore of its
/// own (the benchmark's user registered), without tokens on 127.0.0.1 unless
/// told otherwise, its port read from its JSON log.
final class ServeChild {
    let process: SpawnedProcess
    let port: Int
    let logPath: String

    /// Starts `serve` with its state in `stateDirectory`, and `arguments`
    /// (`--insecure-dev-no-auth` by default).
    init(stateDirectory: String, arguments: [String] = ["--insecure-dev-no-auth"]) throws {
        try AgentCommand(stateDirectory: stateDirectory).registerUser()
        logPath = stateDirectory + "/serve.log"
        process = try ChildRun.spawn(
            AgentCommand.executable,
            ["serve", "--port", "0", "--state-dir", stateDirectory, "--log-format", "json"] + arguments,
            environment: [:], outputPath: logPath)
        let deadline = ContinuousClock.now + .seconds(60)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            found = log.split(separator: "\n").lazy.compactMap { line -> Int? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["message"] as? String == "serving Nachet's batch-import API"
                else { return nil }
                return (object["port"] as? String).flatMap(Int.init) ?? object["port"] as? Int
            }.first
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            process.forceStop()
            throw BenchmarkError("serve did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(1000) ?? "")")
        }
        port = found
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Peak resident memory so far (`VmHWM`), in KiB.
    var peakRSSKiB: Int { ChildRun.highWaterMarkKiB(of: process.pid) }

    /// Stops it (SIGTERM) and waits; one that does not stop within two
    /// minutes is killed, and said to standard error.
    func stop() {
        process.terminate()
        do {
            try process.waitUntilExit(killingAfter: .seconds(120))
        } catch {
            FileHandle.standardError.write(Data("serve did not stop on SIGTERM: \(error)\n".utf8))
        }
    }
}

extension AgentCommand {
    /// An agent uploading through the API at `url` (`--nachet-url`).
    init(stateDirectory: String, api url: String) {
        self.init(stateDirectory: stateDirectory)
        options += ["--nachet-url", url]
    }
}
