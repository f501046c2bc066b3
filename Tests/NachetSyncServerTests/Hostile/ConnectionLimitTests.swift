import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// Clients that open connections and send nothing useful (slowloris), by
/// the thousand: `serve`, a child process started with systemd's soft
/// descriptor limit of 1,024, keeps answering honest clients.
@Suite("serve: hostile clients: connections", .serialized)
struct ConnectionLimitTests {
    /// Half a request head, then nothing: a slowloris connection.
    static let halfHead = "POST /upload-picture HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    /// `count` connections sending half a head, from 127.0.0.2, .3 and on,
    /// `perAddress` from each.
    static func slowConnections(_ count: Int, perAddress: Int, to port: Int) throws -> [RawConnection] {
        try (0..<count).map { index in
            let connection = try RawConnection(to: port, from: "127.0.0.\(2 + index / perAddress)")
            connection.send(halfHead)
            return connection
        }
    }

    /// As many slow connections as this process may open besides what the
    /// test needs, a thousand at most.
    static func slowConnectionCount() -> Int {
        DescriptorLimit.raiseToHardLimit()
        return max(100, min(1_000, DescriptorLimit.current.soft - 300))
    }

    /// The longest an honest upload may take beside the slow connections:
    /// well under a second on a quiet machine (the release build, 40 ms at
    /// most), up to 6 s seen with the debug build in a whole test run on a
    /// loaded 2-core machine. Without the limits, it gets no answer at all.
    static let honestUploadTime = 20.0

    /// Five honest uploads, one after another: each answer's status and time.
    static func honestUploads(_ serve: HostileServe) async throws -> [HostileServe.Answer] {
        let session = try await serve.newSession()
        var answers: [HostileServe.Answer] = []
        for index in 0..<5 {
            let bytes = DropFolderBuilder.imageBytes(seed: UInt64(100 + index), size: 30_000)
            answers.append(try await serve.uploadJSON(session: session, bytes: bytes, within: .seconds(30)))
        }
        return answers
    }

    @Test func aThousandSlowConnectionsLeaveHonestUploadsAnsweredWithinSeconds() async throws {
        let count = Self.slowConnectionCount()
        // Caps above the thousand: what holds here is the descriptor limit.
        try await HostileServe.with(
            ["--max-connections", "5000", "--max-connections-per-address", "100", "--header-timeout", "600"], descriptorLimit: 1_024
        ) { serve in
            let limit = try #require(serve.softDescriptorLimit)
            #expect(limit == DescriptorLimit.current.hard, "serve raises its soft descriptor limit to the hard one")
            let before = serve.descriptorCount

            let slow = try Self.slowConnections(count, perAddress: 100, to: serve.port)
            #expect(try await eventually(within: .seconds(120)) { serve.descriptorCount >= before + count }, "\(serve.descriptorCount)")
            let answers = try await Self.honestUploads(serve)
            #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.text))")
            let slowest = answers.map(\.seconds).max() ?? 0
            #expect(slowest < Self.honestUploadTime, "an honest upload took \(slowest) s")
            #expect(slow.allSatisfy { !$0.isClosedByServer }, "serve holds every slow connection")
            print(
                "hostile: \(count) slow connections held by serve (\(serve.descriptorCount) descriptors, soft limit \(limit));"
                    + " honest uploads took \(answers.map { String(format: "%.3f", $0.seconds) }.joined(separator: ", ")) s")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func withTheDefaultCapsAThousandSlowConnectionsMakeRoomForHonestOnes() async throws {
        let count = Self.slowConnectionCount()
        try await HostileServe.with(["--header-timeout", "600"], descriptorLimit: 1_024) { serve in
            let before = serve.descriptorCount
            // 100 from each address: 64 are kept (the per-address cap), the rest
            // closed at once; past 512 in all, each new one takes the place of
            // the one waiting longest.
            let slow = try Self.slowConnections(count, perAddress: 100, to: serve.port)
            let addresses = (count + 99) / 100
            #expect(
                try await eventually(within: .seconds(120)) {
                    slow.filter { !$0.isClosedByServer }.count <= min(512, addresses * 64)
                })
            let answers = try await Self.honestUploads(serve)
            #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.text))")
            let slowest = answers.map(\.seconds).max() ?? 0
            #expect(slowest < Self.honestUploadTime, "an honest upload took \(slowest) s")
            #expect(serve.descriptorCount <= before + 512 + 8, "serve holds \(serve.descriptorCount - before) connections")
            let open = slow.filter { !$0.isClosedByServer }.count
            #expect(!serve.logLines(startingWith: "closed a new connection: 64 connections are open from its address").isEmpty)
            if addresses * 64 > 512 {
                #expect(!serve.logLines(startingWith: "512 connections are open").isEmpty)
            }
            print(
                "hostile: \(count) slow connections with the default caps: \(open) left open, \(serve.descriptorCount) descriptors;"
                    + " honest uploads took \(answers.map { String(format: "%.3f", $0.seconds) }.joined(separator: ", ")) s")
            #expect(try await serve.stop() == 0)
        }
    }

    /// A connection from `source` that `serve` has let in: it answered a
    /// request on it (`/health`), and the connection now waits for the next.
    static func admitted(from source: String, to port: Int) async throws -> RawConnection {
        let connection = try RawConnection(to: port, from: source)
        connection.send(RawConnection.head("/health", method: "GET", port: port))
        let (head, _) = try await connection.readAnswer(within: .seconds(60))
        guard head.hasPrefix("HTTP/1.1 200") else { throw HarnessFailure(description: "/health answered \(head)") }
        return connection
    }

    @Test func aConnectionOverItsAddressCapIsClosedAtOnce() async throws {
        try await HostileServe.with(["--max-connections-per-address", "4", "--header-timeout", "600"]) { serve in
            var kept: [RawConnection] = []
            for _ in 0..<4 { kept.append(try await Self.admitted(from: "127.0.0.2", to: serve.port)) }
            let fifth = try RawConnection(to: serve.port, from: "127.0.0.2")
            #expect(try await eventually(within: .seconds(30)) { fifth.isClosedByServer })
            let elsewhere = try await Self.admitted(from: "127.0.0.3", to: serve.port)
            // 127.0.0.1 (a proxy on this machine) has no such cap.
            var local: [RawConnection] = []
            for _ in 0..<6 { local.append(try await Self.admitted(from: "127.0.0.1", to: serve.port)) }
            #expect(kept.allSatisfy { !$0.isClosedByServer } && !elsewhere.isClosedByServer && local.allSatisfy { !$0.isClosedByServer })
            let line = try #require(serve.logLines(startingWith: "closed a new connection: 4 connections are open from its address").first)
            #expect(line["message"]?.contains("NACHET_SYNC_SERVE_MAX_CONNECTIONS_PER_ADDRESS") == true)
            #expect(line["remote"] == "127.0.0.2")
            #expect(try await serve.stop() == 0)
        }
    }

    @Test func whenFullTheConnectionWaitingLongestMakesRoomAndBusyOnesAreKept() async throws {
        let limits = ["--max-connections", "6", "--max-connections-per-address", "0", "--header-timeout", "600", "--min-rate", "0"]
        try await HostileServe.with(limits + ["--drain-timeout", "1"]) { serve in
            // The first waits longest: it was answered before the others came.
            let first = try await Self.admitted(from: "127.0.0.2", to: serve.port)
            let others = try (0..<5).map { _ in try RawConnection(to: serve.port, from: "127.0.0.2") }
            for connection in others { connection.send(Self.halfHead) }
            #expect(try await eventually { serve.connectionCount == 6 })
            let newcomer = try RawConnection(to: serve.port, from: "127.0.0.3")
            #expect(try await eventually(within: .seconds(30)) { first.isClosedByServer })
            #expect(others.allSatisfy { !$0.isClosedByServer } && !newcomer.isClosedByServer)
            #expect(
                !serve.logLines(startingWith: "6 connections are open (NACHET_SYNC_SERVE_MAX_CONNECTIONS): closed the one waiting longest")
                    .isEmpty)
            for connection in others { connection.hangUp() }
            #expect(try await eventually { serve.connectionCount == 1 })

            // Six connections busy with a request (a head, its body not sent):
            // none can make room, so a seventh is closed at once.
            let busy = try (0..<6).map { _ in try RawConnection(to: serve.port, from: "127.0.0.4") }
            #expect(try await eventually(within: .seconds(30)) { newcomer.isClosedByServer })
            for connection in busy { connection.send(RawConnection.head("/seeds", port: serve.port, length: 1_000)) }
            // Each is answered (401: no token) while its body is still awaited.
            #expect(try await eventually { busy.allSatisfy { $0.bytesWaiting > 0 } })
            let seventh = try RawConnection(to: serve.port, from: "127.0.0.5")
            #expect(try await eventually(within: .seconds(30)) { seventh.isClosedByServer })
            #expect(busy.allSatisfy { !$0.isClosedByServer })
            #expect(!serve.logLines(startingWith: "closed a new connection: 6 connections are open, each busy with a request").isEmpty)
            #expect(try await serve.stop() == 0)
        }
    }
}
