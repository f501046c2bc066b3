import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// What `serve` holds over time, read from `/proc`: its memory while clients
/// do not read their answers, and its descriptors and memory across many
/// reloads.
@Suite("serve: hostile clients: memory and descriptors", .serialized)
struct ResourceTests {
    /// What `serve` may hold, whatever its readers do.
    static let memoryCeiling = 256 << 20

    @Test func fortyClientsThatDoNotReadALargePictureKeepServesMemoryBounded() async throws {
        // No minimum rate: the readers are never cut, so what bounds memory
        // is the answer's pieces alone.
        try await HostileServe.with(["--min-rate", "0", "--drain-timeout", "1"]) { serve in
            let session = try await serve.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 21, size: 20_000_000)
            let picture = try await serve.uploadRaw(session: session, bytes: bytes)
            let baseline = serve.residentMemory
            let request = #"{"container_name":"\#(serve.userID)","picture_id":"\#(picture)"}"#
            let head = RawConnection.head("/get-picture", port: serve.port, length: request.utf8.count, token: serve.token)
            let readers = try (0..<40).map { _ in
                let reader = try RawConnection(to: serve.port, receiveBuffer: 4_096)
                reader.send(head + request)
                return reader
            }
            // Every answer has begun, then serve writes no more until they read.
            #expect(try await eventually(within: .seconds(120)) { readers.allSatisfy { $0.bytesWaiting > 0 } })
            #expect(try await settles(within: .seconds(120)) { readers.map(\.bytesWaiting).reduce(0, +) })
            let peak = serve.peakMemory
            let resident = serve.residentMemory
            #expect(peak < Self.memoryCeiling, "peak \(peak >> 20) MiB")
            // By design: the pieces being read (32 MiB, --download-memory) and
            // one piece per answer (256 KiB, and the connection's 64 KiB).
            #expect(peak - baseline < 96 << 20, "grew by \((peak - baseline) >> 20) MiB")
            print(
                "hostile: 40 clients not reading a 20 MB picture: serve at \(resident >> 20) MiB resident (peak \(peak >> 20) MiB, \(baseline >> 20) MiB before)"
            )
            // Each answer is whole once read.
            let (answerHead, body) = try await readers[0].readAnswer(within: .seconds(120))
            #expect(answerHead.hasPrefix("HTTP/1.1 200"))
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let image = try #require((json["image"] as? String)?.split(separator: ",", maxSplits: 1).last)
            #expect(Data(base64Encoded: String(image)) == bytes)
            withExtendedLifetime(readers) {}
            #expect(try await serve.stop() == 0)
        }
    }

    /// Reloads (SIGHUP: the tokens file read again) leave no descriptor and
    /// no memory behind: after 100 reloads to warm up (allocator arenas,
    /// the log's buffers), 900 more change the descriptors by at most 2
    /// (one may be open at the moment of looking) and resident memory by
    /// less than 4 MiB.
    @Test func aThousandReloadsLeaveDescriptorsAndMemoryFlat() async throws {
        try await HostileServe.with { serve in
            let reloads = LogFollower(path: serve.serve.logPath, counting: "tokens file read again")
            func reload(_ times: Int) async throws {
                for _ in 0..<times {
                    let done = reloads.count
                    kill(serve.pid, SIGHUP)
                    let reloaded = try await eventually(within: .seconds(30), every: .milliseconds(1)) {
                        reloads.count > done
                    }
                    guard reloaded else { throw HarnessFailure(description: "serve did not reload: \(serve.serve.log.suffix(2_000))") }
                }
            }
            try await reload(100)
            let (descriptors, memory) = (serve.descriptorCount, serve.residentMemory)
            try await reload(900)
            let (descriptorsAfter, memoryAfter) = (serve.descriptorCount, serve.residentMemory)
            #expect(descriptorsAfter <= descriptors + 2, "\(descriptors) descriptors, then \(descriptorsAfter)")
            #expect(memoryAfter - memory < 4 << 20, "\(memory >> 10) KiB, then \(memoryAfter >> 10) KiB")
            print(
                "hostile: 1,000 reloads: \(descriptors) → \(descriptorsAfter) descriptors, \(memory >> 10) → \(memoryAfter >> 10) KiB resident (after the first 100)"
            )
            #expect(try await serve.stop() == 0)
        }
    }
}

/// A log file read as it grows, counting the lines that hold a text.
final class LogFollower {
    let path: String
    let text: String
    private var offset: UInt64 = 0
    private var partial = Data()
    private var found = 0

    init(path: String, counting text: String) {
        self.path = path
        self.text = text
    }

    /// Lines so far that hold ``text``.
    var count: Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return found }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = handle.readDataToEndOfFile()
        offset += UInt64(data.count)
        partial.append(data)
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            if String(decoding: partial[partial.startIndex..<newline], as: UTF8.self).contains(text) { found += 1 }
            partial = Data(partial[(newline + 1)...])
        }
        return found
    }
}
