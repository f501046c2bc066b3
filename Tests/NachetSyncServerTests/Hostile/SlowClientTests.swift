import AsyncHTTPClient
import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// Clients that send or read slowly: a head that never ends, a body sent a
/// few bytes at a time, JSON uploads that trickle beside a small one, an
/// answer nobody reads, an upload still trickling when `serve` is stopped.
@Suite("serve: hostile clients: slow ones", .serialized)
struct SlowClientTests {
    /// Sends `connection` one byte of `text` every `interval` until the
    /// server closes it or `limit` passes; how long it was kept.
    static func trickle(_ text: String, on connection: RawConnection, every interval: Duration, for limit: Duration) async throws
        -> Duration
    {
        let started = ContinuousClock.now
        var bytes = Array(text.utf8)[...]
        while ContinuousClock.now - started < limit, !connection.isClosedByServer {
            if let byte = bytes.popFirst() {
                guard connection.send([byte]) else { break }
            }
            // The client's own pace: what the test plays, not a wait for a result.
            try await Task.sleep(for: interval)
        }
        return ContinuousClock.now - started
    }

    @Test func aHeadThatDoesNotArriveWithinTheHeaderTimeoutClosesTheConnection() async throws {
        try await HostileServe.with(["--header-timeout", "1"]) { serve in
            // A byte every 100 ms: each would reset an idle timer.
            let trickling = try RawConnection(to: serve.port, from: "127.0.0.2")
            let silent = try RawConnection(to: serve.port, from: "127.0.0.3")
            let kept = try await Self.trickle(
                ConnectionLimitTests.halfHead + String(repeating: "a", count: 1_000), on: trickling, every: .milliseconds(100),
                for: .seconds(60))
            #expect(trickling.isClosedByServer, "kept \(kept)")
            #expect(kept >= .milliseconds(900) && kept < .seconds(30), "kept \(kept)")
            #expect(try await eventually(within: .seconds(30)) { silent.isClosedByServer })
            // A client that sends its head at once is answered.
            let honest = try RawConnection(to: serve.port)
            honest.send(RawConnection.head("/health", method: "GET", port: serve.port))
            let answer = String(decoding: try await honest.readUntilClosed(within: .seconds(5)), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            let line = try #require(serve.logLines(startingWith: "closed a connection that sent no whole request head within 1 s").first)
            #expect(line["message"]?.contains("NACHET_SYNC_SERVE_HEADER_TIMEOUT") == true)
            print("hostile: a head trickled a byte every 100 ms was closed after \(kept) (header timeout 1 s)")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func aBodySlowerThanTheMinimumRateIsAnswered408() async throws {
        try await HostileServe.with(["--min-rate", "1024", "--min-rate-window", "1"]) { serve in
            let session = try await serve.newSession()
            let slow = try RawConnection(to: serve.port, from: "127.0.0.2")
            slow.send(RawConnection.head("/upload-picture", port: serve.port, length: 100_000, token: serve.token))
            // 100 bytes a second, 10 at a time: every byte in time for an idle
            // timer, a hundredth of the minimum rate.
            let started = ContinuousClock.now
            while !slow.isClosedByServer, slow.bytesWaiting == 0, ContinuousClock.now - started < .seconds(60) {
                slow.send(String(repeating: " ", count: 10))
                try await Task.sleep(for: .milliseconds(100))
            }
            let cut = ContinuousClock.now - started
            let answer = String(decoding: try await slow.readUntilClosed(within: .seconds(30)), as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("X-Nachet-Error: too-slow"))
            #expect(answer.contains("API Error uploading picture : the request's body arrived at"))
            #expect(answer.contains("NACHET_SYNC_SERVE_MIN_RATE"))
            #expect(slow.isClosedByServer)
            #expect(cut < .seconds(30), "cut after \(cut)")
            // A body sent at once is well above the rate.
            let upload = try await serve.uploadJSON(session: session, bytes: DropFolderBuilder.imageBytes(seed: 7, size: 500_000))
            #expect(upload.status == 200, "\(upload.text)")
            #expect(!serve.logLines(startingWith: "answered 408 to a request whose body arrived at").isEmpty)
            Self.expectNoLibraryErrorNames(serve.serve.log)
            print("hostile: a body sent at 100 bytes/s was answered 408 after \(cut) (1024 bytes/s over 1 s)")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func anAnswerTheClientDoesNotTakeClosesItsConnection() async throws {
        try await HostileServe.with(["--min-rate", "1024", "--min-rate-window", "1"]) { serve in
            let session = try await serve.newSession()
            let picture = try await serve.uploadRaw(session: session, bytes: DropFolderBuilder.imageBytes(seed: 8, size: 8 << 20))
            let reader = try RawConnection(to: serve.port, from: "127.0.0.2", receiveBuffer: 4_096)
            let body = #"{"container_name":"\#(serve.userID)","picture_id":"\#(picture)"}"#
            reader.send(RawConnection.head("/get-picture", port: serve.port, length: body.utf8.count, token: serve.token) + body)
            #expect(
                try await eventually(within: .seconds(60)) {
                    !serve.logLines(startingWith: "closed a connection whose client took its answer at").isEmpty
                })
            let received = try await reader.readUntilClosed(within: .seconds(30))
            #expect(reader.isClosedByServer)
            #expect(received.count < (8 << 20) * 4 / 3, "the answer was cut")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func slowJSONUploadsDoNotHoldUpASmallOne() async throws {
        // No minimum rate: what is tested is the memory for JSON bodies
        // (64 MiB), which four 16 MiB bodies would take whole if each took
        // what it declares.
        try await HostileServe.with(["--min-rate", "0", "--drain-timeout", "1"]) { serve in
            let session = try await serve.newSession()
            let declared = 16 << 20
            let slow = try (0..<4).map { index in
                let connection = try RawConnection(to: serve.port, from: "127.0.0.\(2 + index)")
                connection.send(RawConnection.head("/upload-picture", port: serve.port, length: declared, token: serve.token))
                connection.send(#"{"container_name": ""# + String(repeating: "a", count: 1_000))
                return connection
            }
            // serve has read all they sent (and in the old code, taken their memory).
            #expect(try await eventually { serve.hasReadEverything(fromAtLeast: 4) })
            #expect((try await serve.post("/get-directories", ["container_name": serve.userID])).status == 200)
            let small = try await serve.uploadJSON(
                session: session, bytes: DropFolderBuilder.imageBytes(seed: 9, size: 100), within: .seconds(30))
            #expect(small.status == 200, "\(small.text)")
            #expect(small.seconds < ConnectionLimitTests.honestUploadTime, "the small upload took \(small.seconds) s")
            #expect(slow.allSatisfy { !$0.isClosedByServer }, "the slow uploads are still being received")
            print("hostile: beside four trickling 16 MiB JSON uploads, a small one took \(String(format: "%.3f", small.seconds)) s")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func stoppingDuringATrickledUploadEndsWithinTheDrainDeadline() async throws {
        try await HostileServe.with(["--drain-timeout", "2", "--min-rate", "0"]) { serve in
            let slow = try RawConnection(to: serve.port, from: "127.0.0.2")
            slow.send(RawConnection.head("/upload-picture", port: serve.port, length: 1 << 20, token: serve.token))
            let trickling = Task {
                try await Self.trickle(String(repeating: " ", count: 1 << 20), on: slow, every: .milliseconds(100), for: .seconds(120))
            }
            defer { trickling.cancel() }
            #expect(try await eventually { serve.hasReadEverything(fromAtLeast: 1) && !slow.isClosedByServer })
            try await serve.stopClient()
            let started = ContinuousClock.now
            kill(serve.pid, SIGTERM)
            try await serve.serve.process.exit(within: .seconds(60))
            let stopped = ContinuousClock.now - started
            #expect(serve.serve.process.terminationStatus == 0)
            #expect(stopped >= .seconds(2) && stopped < .seconds(8), "stopped after \(stopped)")
            #expect(
                serve.serve.log.contains(
                    "did not finish within 2 s of the stop (NACHET_SYNC_SERVE_DRAIN_TIMEOUT): closing the 1 connections still open"))
            print("hostile: SIGTERM during a trickled upload: serve exited after \(stopped) (drain deadline 2 s)")
        }
    }

    /// Names of SwiftNIO's errors, which `serve`'s messages put in words.
    static func expectNoLibraryErrorNames(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in [
            "NIOTooManyBytesError", "ChannelError", "HTTPParserError", "IOError", "ioOnClosedChannel", "invalidEOFState",
            "CancellationError",
        ] {
            #expect(!text.contains(name), "\(name) in: \(text)", sourceLocation: sourceLocation)
        }
    }
}
