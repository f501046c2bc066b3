import AsyncHTTPClient
import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport

/// The built `serve`, run as a child process (so its descriptors and memory
/// are its own, read from `/proc`), for the hostile-client tests: the
/// embedded datastore in a temporary directory with the technician
/// registered, a token acting for it, and the limits under test as flags.
/// Honest requests go through AsyncHTTPClient from 127.0.0.1.
final class HostileServe {
    let directory = TemporaryDirectory()
    let serve: ServeProcess
    let token: String
    let userID: String
    let client = HTTPClient(eventLoopGroupProvider: .singleton)

    var port: Int { serve.port }
    var pid: pid_t { serve.process.processIdentifier }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `serve` with `arguments` (the limits) after the datastore's.
    /// - Parameter descriptorLimit: The child's soft descriptor limit.
    init(_ arguments: [String] = [], descriptorLimit: Int? = nil) async throws {
        let state = directory.appending("state")
        let userAdd = try SpawnedProcess(
            ServeProcess.executable, ["user", "add", "--state-dir", state, TestDatastore.technician],
            error: .file(directory.appending("user-add.log")))
        try await userAdd.exit(within: .seconds(120))
        guard userAdd.terminationStatus == 0 else { throw HarnessFailure(description: "user add failed") }
        let catalogue = try SQLiteCatalogue(path: state + "/catalogue.sqlite")
        guard let user = try await catalogue.user(email: TestDatastore.technician) else {
            throw HarnessFailure(description: "the technician is not registered")
        }
        userID = user.id.lowercased
        let tokens = directory.appending("tokens")
        token = try TokensFile.add(name: "lab-pc-1", users: [TestDatastore.technician], to: tokens)
        serve = try await ServeProcess(
            arguments: ["--state-dir", state, "--tokens-file", tokens] + arguments, directory: directory, descriptorLimit: descriptorLimit)
    }

    /// Runs `body` with a `serve` started as ``init(_:descriptorLimit:)``
    /// starts it, and stops it afterwards, whether `body` threw or not (a
    /// test that fails half-way leaves no child and no client behind).
    static func with<Result>(
        _ arguments: [String] = [], descriptorLimit: Int? = nil, _ body: (HostileServe) async throws -> Result
    ) async throws -> Result {
        let serve = try await HostileServe(arguments, descriptorLimit: descriptorLimit)
        do {
            let result = try await body(serve)
            try await serve.stop()
            return result
        } catch {
            _ = try? await serve.stop()
            throw error
        }
    }

    /// Stops the client and `serve` (SIGTERM), once; returns its exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        try await stopClient()
        guard serve.process.isRunning else { return serve.process.terminationStatus }
        return try await serve.stop()
    }

    /// Shuts the HTTP client down, once.
    func stopClient() async throws {
        guard !clientStopped else { return }
        clientStopped = true
        try await client.shutdown()
    }

    private var clientStopped = false

    // MARK: - What it holds

    /// Descriptors it has open.
    var descriptorCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// Its resident memory now (`VmRSS`), in bytes.
    var residentMemory: Int { statusField("VmRSS") }

    /// Its peak resident memory (`VmHWM`), in bytes.
    var peakMemory: Int { serve.peakMemory }

    /// Its soft descriptor limit, from `/proc/<pid>/limits`.
    var softDescriptorLimit: Int? {
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") } ?? ""
        return line.split(separator: " ").dropFirst(3).first.flatMap { Int($0) }
    }

    /// Client connections `serve` holds (established sockets of its own).
    var connectionCount: Int { receiveQueues.count }

    /// Whether `serve` has accepted at least `count` connections and read
    /// everything sent on them so far (their receive queues in
    /// `/proc/<pid>/net/tcp` are empty).
    func hasReadEverything(fromAtLeast count: Int) -> Bool {
        let queues = receiveQueues
        return queues.count >= count && queues.allSatisfy { $0 == 0 }
    }

    /// The bytes waiting to be read on each of its client connections
    /// (its own sockets, by inode: the table lists every socket of the
    /// machine, other tests' included).
    private var receiveQueues: [Int] {
        let descriptors = "/proc/\(pid)/fd"
        let sockets = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? []).compactMap { name -> Substring? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: descriptors + "/" + name),
                    target.hasPrefix("socket:[")
                else { return nil }
                return Substring(target.dropFirst("socket:[".count).dropLast())
            })
        // Read to its end: the file says it is empty, and may be long.
        let table =
            FileHandle(forReadingAtPath: "/proc/\(pid)/net/tcp").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            // Established connections (its listening socket is state 0A).
            guard fields.count > 9, fields[3] == "01", sockets.contains(fields[9]) else { return nil }
            let queues = fields[4].split(separator: ":")
            return queues.count == 2 ? Int(queues[1], radix: 16) : nil
        }
    }

    private func statusField(_ name: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    // MARK: - Honest requests

    /// An answer, and how long it took.
    struct Answer {
        var status: Int
        var body: Data
        var seconds: Double
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `POST path` with `body` and the token, within `limit`.
    func post(_ path: String, body: Data, headers: [(String, String)] = [], within limit: Duration = .seconds(60)) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(limit.components.seconds))
        let bytes = try await response.body.collect(upTo: 1 << 30)
        let elapsed = ContinuousClock.now - started
        return Answer(
            status: Int(response.status.code), body: Data(bytes.readableBytesView),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// `POST path` with the JSON object `fields`.
    func post(_ path: String, _ fields: [String: Any], within limit: Duration = .seconds(60)) async throws -> Answer {
        try await post(path, body: try JSONSerialization.data(withJSONObject: fields), within: limit)
    }

    /// A new picture set of the technician's; its session id.
    func newSession(folder: String = "lot-1") async throws -> String {
        let answer = try await post("/new-batch-import", ["container_name": userID, "nb_pictures": 1, "folder_name": folder])
        guard let session = answer.json?["session_id"] as? String else {
            throw HarnessFailure(description: "new-batch-import answered \(answer.status): \(answer.text)")
        }
        return session
    }

    /// `/upload-picture` of `bytes` (a data URL in JSON), within `limit`.
    func uploadJSON(session: String, bytes: Data, within limit: Duration = .seconds(60)) async throws -> Answer {
        try await post("/upload-picture", ServerHarness.uploadFields(userID: userID, session: session, bytes: bytes), within: limit)
    }

    /// `/upload-picture-raw` of `bytes`; the picture's id.
    func uploadRaw(session: String, bytes: Data) async throws -> String {
        let query = "/upload-picture-raw?container_name=\(userID)&session_id=\(session)&seed_name=Brassica%20napus"
        let answer = try await post(query, body: bytes, headers: [("X-Content-SHA256", bytes.sha256)], within: .seconds(300))
        guard let picture = answer.json?["picture_id"] as? String else {
            throw HarnessFailure(description: "upload-picture-raw answered \(answer.status): \(answer.text)")
        }
        return picture
    }

    /// Log lines whose message starts with `prefix`.
    func logLines(startingWith prefix: String) -> [[String: String]] {
        serve.logLines.filter { $0["message"]?.hasPrefix(prefix) == true }
    }
}
