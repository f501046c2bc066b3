import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Synchronization
import Testing

/// The agent in client mode (`--nachet-url`) against servers that are
/// broken or hostile: silent, stalling, answering garbage, echoing the
/// request's headers, redirecting elsewhere. Whatever the server does, the
/// agent ends within a time tied to `--give-up-after`, says what happened
/// in words, and its token shows nowhere: not in its output, its state file
/// or the folder's status file, and not to another origin.
@Suite("the agent against a broken or hostile server")
struct APIClientHostileServerTests {
    /// The agent's token: `serve`'s shape, so a redaction by shape alone
    /// would also hide it; ``plainToken`` is shapeless.
    static let token = "nst_HostileServerTestToken0123456789abcdefghij"
    /// A token with no recognisable shape: only the exact removal of the
    /// agent's own token hides it.
    static let plainToken = "plain-S3cret-7c1f9a2b44e0d5"

    /// One `sync` of a set of one picture, with status files, against `url`.
    struct Outcome {
        var run: AgentRun
        /// How long the run took, process start included.
        var seconds: Double
        /// The bytes of every file of the state directory (the SQLite file
        /// and its journal: every column of every table).
        var stateFiles: String
        /// The folder's status file.
        var statusFile: String

        /// Everything the agent said or wrote.
        var everything: String { run.output + run.errors + stateFiles + statusFile }
    }

    static func sync(_ url: String, token: String = token, giveUpAfter: String = "2") async throws -> Outcome {
        let directory = TemporaryDirectory()
        let drop = try makeDropFolder(in: directory, count: 1)
        let state = directory.appending("state")
        let agent = ClientAgent(url: url, state: state, token: token, extraArguments: ["--give-up-after", giveUpAfter, "--status-file"])
        let start = ContinuousClock.now
        let run = try await agent.sync(drop, timeout: .seconds(300))
        let elapsed = ContinuousClock.now - start
        var stateFiles = ""
        for name in (try? FileManager.default.contentsOfDirectory(atPath: state)) ?? [] {
            stateFiles += String(decoding: FileManager.default.contents(atPath: state + "/" + name) ?? Data(), as: UTF8.self)
        }
        return Outcome(
            run: run, seconds: elapsed / .seconds(1),
            stateFiles: stateFiles,
            statusFile: (try? String(contentsOfFile: drop + "/lot-1/" + StatusFileWriter.fileName, encoding: .utf8)) ?? "")
    }

    /// `serve`'s answer to `GET /health`: the agent then speaks to `serve`.
    static let serveHealth = ScriptedHTTPServer.Reply.response(
        status: "200 OK", headers: [("Content-Type", "application/json")], body: #"{"status":"ok","catalogue":"ok","blob_store":"ok"}"#)

    // MARK: - Silence

    /// How a server stops answering.
    enum Silence: String, CaseIterable, CustomTestStringConvertible {
        /// It listens and never accepts: the kernel completes the connection.
        case neverAccepts
        /// It accepts and reads the request, then says nothing.
        case acceptsAndSaysNothing
        /// It sends an answer's head, then nothing of the body.
        case stallsAfterTheHeaders

        var testDescription: String { rawValue }
    }

    /// A server that stops answering at any point: each wait is cut at
    /// `--give-up-after`, so `sync` ends within seconds of it (it waited
    /// 600 s, three times, before), says the server did not answer, and
    /// records nothing as stored.
    ///
    /// The bound is the server's view: from the request's arrival to the
    /// agent closing its connection, so neither the time a loaded machine
    /// takes to start and end a process nor the test's own scheduling
    /// counts; the whole run's bound is looser for the same reason.
    @Test(arguments: Silence.allCases)
    func aServerThatStopsAnsweringIsGivenUpOnWithinTheGiveUpTime(_ silence: Silence) async throws {
        let listener = try SilentListener()
        let server = try await ScriptedHTTPServer.start { head in
            silence == .stallsAfterTheHeaders && head.hasPrefix("GET /health") ? Self.serveHealth
                : silence == .stallsAfterTheHeaders ? .headersThenSilence : .nothing
        }
        let url = silence == .neverAccepts ? "http://127.0.0.1:\(listener.port)" : server.url

        let outcome = try await Self.sync(url)

        #expect(outcome.run.status == 3, "\(outcome.run.output) \(outcome.run.errors)")
        // Far below one read timeout of before (600 s, three times); the
        // whole suite on two cores makes a 2 s run take 35 s.
        #expect(outcome.seconds < 120, "the whole run, process start included: \(outcome.seconds) s")
        if let unanswered = server.exchanges.last {
            let seconds = try #require(unanswered.seconds, "the agent closed the connection it got no answer on")
            #expect(seconds < 2 + 10, "given up within --give-up-after (2 s) and some: \(seconds) s")
            print("\(silence): the connection closed \(seconds) s after the request came, the whole run took \(outcome.seconds) s")
        }
        #expect(outcome.run.errors.contains("cannot reach the Nachet API at \(url): no answer within 2 s"), "\(outcome.run.errors)")
        #expect(outcome.run.errors.contains("--give-up-after"), "\(outcome.run.errors)")
        #expect(!outcome.run.output.contains("1 picture uploaded"), "\(outcome.run.output)")
        #expect(!outcome.everything.contains(Self.token))
        if silence == .stallsAfterTheHeaders {
            #expect(server.requests.count >= 2, "the answer's head came, then its body stalled: \(server.requests)")
        } else if silence == .acceptsAndSaysNothing {
            #expect(server.requests.count == 1, "\(server.requests)")
        }
        await server.stop()
        withExtendedLifetime(listener) {}
    }

    /// A server that answers every question, then takes the picture's
    /// first bytes and no more: sending it waits at most `--give-up-after`
    /// for the server to take more.
    @Test func aServerThatStopsTakingAnUploadIsGivenUpOnWithinTheGiveUpTime() async throws {
        let server = try await ScriptedHTTPServer.start { head in
            let json: (String) -> ScriptedHTTPServer.Reply = { .response(status: "200 OK", headers: [("Content-Type", "application/json")], body: $0) }
            switch head.split(separator: " ").dropFirst().first?.split(separator: "?").first ?? "" {
            case "/health": return Self.serveHealth
            case "/get-user-id": return json(#"{"user_id":"\#(UUID().lowercased)"}"#)
            case "/seeds": return json(#"{"seeds":[{"seed_id":"\#(UUID().lowercased)","seed_name":"Brassica napus"}]}"#)
            case "/get-directories": return json(#"{"folders":[]}"#)
            case "/new-batch-import": return json(#"{"session_id":"\#(UUID().lowercased)"}"#)
            default: return .stopReading
            }
        }
        let directory = TemporaryDirectory()
        let drop = try makeDropFolder(in: directory, count: 1, size: 64 << 20)
        let agent = ClientAgent(url: server.url, state: directory.appending("state"), token: Self.token, extraArguments: ["--give-up-after", "2"])
        let exit = ExitMoment()

        let run = try await agent.sync(drop, timeout: .seconds(300), onStart: exit.watch)

        #expect(run.status == 3, "\(run.output) \(run.errors)")
        let upload = try #require(server.exchanges.last { $0.head.hasPrefix("POST /upload-picture-raw") }, "\(server.requests)")
        // The server no longer reads, so it cannot see the connection end:
        // the agent's exit, seen by a thread of its own, bounds it.
        let seconds = try #require(exit.instant.map { ($0 - upload.arrivedAt) / .seconds(1) })
        #expect(seconds < 2 + 10, "given up within --give-up-after (2 s) and some, from the upload's start: \(seconds) s")
        print("stalled upload: the agent ended \(seconds) s after the upload began")
        #expect(run.errors.contains("the server took nothing of the request for 2 s"), "\(run.errors)")
        await server.stop()
    }

    // MARK: - Echoes

    /// A server whose error page echoes the request's headers (a debug
    /// page, a proxy): what it said is kept as a redacted excerpt, so the
    /// token is in no message, no state file and no status file, whether
    /// the page is a 400 with Nachet's JSON list or a 500 page.
    @Test(arguments: [("400 Bad Request", true), ("500 Internal Server Error", false)], [token, plainToken])
    func aServerEchoingTheTokenHasItRedactedEverywhere(_ status: (String, Bool), _ token: String) async throws {
        let (statusLine, json) = status
        let server = try await ScriptedHTTPServer.start { head in
            if head.hasPrefix("GET /health") { return Self.serveHealth }
            let page = "Debug: your request was\n\(head)\n\u{1B}[2J"
            let list = (try? JSONSerialization.data(withJSONObject: [page])) ?? Data()
            let body = json ? String(decoding: list, as: UTF8.self) : "<pre>\(page)</pre>"
            return .response(status: statusLine, headers: [("Content-Type", json ? "application/json" : "text/html")], body: body)
        }

        let outcome = try await Self.sync(server.url, token: token)

        #expect(outcome.run.status != 0, "\(outcome.run.output) \(outcome.run.errors)")
        #expect(server.requests.contains { $0.contains(token) }, "the server did receive the token: \(server.requests)")
        #expect(!outcome.everything.contains(token), "\(outcome.run.output) \(outcome.run.errors)")
        #expect(!outcome.everything.contains(String(token.prefix(12))), "not even in part")
        #expect(!(outcome.run.output + outcome.run.errors + outcome.statusFile).contains("\u{1B}"), "control characters are escaped")
        let said = outcome.run.output + outcome.run.errors
        #expect(said.contains(String(statusLine.prefix(3))), "the status is kept: \(said)")
        #expect(said.contains("Debug: your request was"), "an excerpt of what the server said is kept: \(said)")
        #expect(said.contains("Authorization: ***"), "\(said)")
        await server.stop()
    }

    // MARK: - Garbage

    /// A server answering something that is not HTTP, or HTTP that is not
    /// Nachet's JSON, each echoing the request: said in words (no error
    /// type), the token nowhere.
    @Test(arguments: [false, true])
    func aServerAnsweringGarbageIsSaidInWords(_ isHTTP: Bool) async throws {
        let server = try await ScriptedHTTPServer.start { head in
            if !isHTTP { return .bytes(Array("SSH-2.0-OpenSSH_9.6 \(head)\r\n\r\n".utf8), thenClose: true) }
            if head.hasPrefix("GET /health") { return .response(status: "200 OK", body: "ok") }
            return .response(status: "200 OK", headers: [("Content-Type", "text/html")], body: "<html>\(head)</html>")
        }

        let outcome = try await Self.sync(server.url)

        let said = outcome.run.output + outcome.run.errors
        #expect(outcome.run.status != 0, "\(said)")
        if isHTTP {
            #expect(said.contains("answered something that is not Nachet's API (<html>"), "\(said)")
        } else {
            #expect(said.contains("cannot reach the Nachet API at \(server.url): the answer is not HTTP"), "\(said)")
        }
        #expect(!said.contains("HTTPClientError") && !said.contains("NIOTooManyBytesError") && !said.contains("HTTPParserError"), "\(said)")
        #expect(!outcome.everything.contains(Self.token))
        await server.stop()
    }

    // MARK: - Redirections

    /// A server redirecting to another port: the redirection is not
    /// followed, so the other origin never sees the token (nor any
    /// request), and the message names where it pointed and the fix.
    @Test func aRedirectionToAnotherOriginIsNotFollowedAndTheTokenNotSentThere() async throws {
        let elsewhere = try await ScriptedHTTPServer.start { _ in Self.serveHealth }
        let server = try await ScriptedHTTPServer.start { head in
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            return .response(status: "307 Temporary Redirect", headers: [("Location", "\(elsewhere.url)\(path)?sig=S3cretSig")])
        }

        let outcome = try await Self.sync(server.url)

        let said = outcome.run.output + outcome.run.errors
        #expect(outcome.run.status == 3, "\(said)")
        #expect(elsewhere.requests.isEmpty, "nothing goes to the other origin: \(elsewhere.requests)")
        #expect(said.contains("answered 307, a redirection to \(elsewhere.url) that is not followed"), "\(said)")
        #expect(said.contains("--nachet-url"), "\(said)")
        #expect(!said.contains("S3cretSig"), "only the origin is said")
        #expect(!outcome.everything.contains(Self.token))
        await server.stop()
        await elsewhere.stop()
    }
}

/// When a child process ended, seen by a thread of its own polling
/// `/proc` (a zombie, or gone): the tests' cooperative threads may be busy
/// for seconds on a loaded machine, this thread is not.
private final class ExitMoment: Sendable {
    private let moment = Mutex<ContinuousClock.Instant?>(nil)

    /// When the child ended, once it did.
    var instant: ContinuousClock.Instant? { moment.withLock { $0 } }

    /// Starts watching the child `pid`.
    func watch(_ pid: pid_t) {
        Thread.detachNewThread { [self] in
            while true {
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
                if stat.map({ $0.contains(") Z ") }) ?? true {
                    moment.withLock { $0 = .now }
                    return
                }
                usleep(5_000)
            }
        }
    }
}
