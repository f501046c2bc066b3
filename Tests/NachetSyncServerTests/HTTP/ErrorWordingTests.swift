import Foundation
import NIOCore
import NIOHTTP1
import NachetSync
import Testing

@testable import NachetSyncServer

/// serve's messages say what a library's error means, never its type.
@Suite("serve: errors in words")
struct ErrorWordingTests {
    @Test func librariesErrorsAreNamedInWords() {
        let cases: [(any Error, String)] = [
            (NIOTooManyBytesError(maxBytes: 1_024), "the request is larger than the 1024 bytes taken"),
            (ChannelError.ioOnClosedChannel, "the connection closed before the exchange ended"),
            (ChannelError.eof, "the connection closed before the exchange ended"),
            (HTTPParserError.invalidEOFState, "the connection closed before the request arrived whole"),
            (HTTPParserError.invalidChunkSize, "the request is not valid HTTP/1.1"),
            (IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)"), "address already in use"),
            (CancellationError(), "the server is stopping"),
        ]
        for (error, words) in cases {
            #expect(ErrorWording.words(for: error) == words)
        }
        let ours = BlobStoreError(.failed, "the blob store is read-only")
        #expect(ErrorWording.words(for: ours) == "\(ours)")
        struct SomethingUnforeseen: Error {}
        #expect(ErrorWording.words(for: SomethingUnforeseen()) == "an unexpected failure")
    }

    @Test func aFailedRequestIsAnsweredInWords() {
        let action = NachetAction.uploadingPicture
        let closed = NachetAPIError.failure(action, ChannelError.ioOnClosedChannel, requestID: "1")
        #expect(closed.message == "API Error uploading picture : the connection closed before the exchange ended")
        #expect("\(closed.status)" == "400 Bad Request")
        let slow = NachetAPIError.failure(action, SlowClientError(rate: 12, limits: ServerLimits()), requestID: "2")
        #expect("\(slow.status)" == "408 Request Timeout" && slow.code.name == "too-slow")
        #expect(slow.message.hasPrefix("API Error uploading picture : the request's body arrived at 12 bytes/s"))
    }
}
