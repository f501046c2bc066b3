import Foundation
import Glibc
import NachetSyncTestSupport

/// A TCP connection to `serve` on 127.0.0.1 made with plain sockets, for
/// clients no HTTP library would play: one that sends half a request head
/// and stops, trickles a body, or never reads its answer. It may come from
/// any loopback address (127.0.0.2, 127.0.0.3…), so that tests have many
/// "machines" for the per-address limit.
///
/// `@unchecked Sendable`: a socket's sends and reads may come from several
/// tasks (one trickles a body while the test watches for the answer).
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    /// Connects to `port` of 127.0.0.1 from `source`.
    /// - Parameter receiveBuffer: The socket's receive buffer, in bytes
    ///   (small for a client that does not read: the server's answer then
    ///   waits in the server).
    init(to port: Int, from source: String = "127.0.0.1", receiveBuffer: Int? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Self.failure("socket") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var local = Self.address(source, port: 0)
        var remote = Self.address("127.0.0.1", port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw Self.failure("bind to \(source)")
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Self.failure("connect")
        }
    }

    deinit {
        close(descriptor)
    }

    /// Closes the connection now (it is closed when released otherwise).
    func hangUp() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Sends `text`; `false` once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    /// Sends `bytes`; `false` once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Whether the server closed the connection (with nothing left to read,
    /// or a reset), without waiting.
    var isClosedByServer: Bool {
        var byte: UInt8 = 0
        let read = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        if read == 0 { return true }
        return read < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
    }

    /// Bytes the server sent that wait to be read.
    var bytesWaiting: Int {
        var count: Int32 = 0
        return ioctl(descriptor, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
    }

    /// Everything the server sends until it closes the connection, read
    /// within `limit` (else what came so far).
    func readUntilClosed(within limit: Duration = .seconds(60)) async throws -> Data {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        _ = try await eventually(within: limit) {
            while true {
                let read = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if read > 0 {
                    received.append(contentsOf: buffer[0..<read])
                    continue
                }
                return read == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            }
        }
        return received
    }

    /// One HTTP answer with a `Content-Length`: its head, and its body once
    /// read whole, within `limit`.
    func readAnswer(within limit: Duration = .seconds(60)) async throws -> (head: String, body: Data) {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var answer: (head: String, body: Data)?
        _ = try await eventually(within: limit) {
            while true {
                let read = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                guard read > 0 else { break }
                received.append(contentsOf: buffer[0..<read])
            }
            guard let end = received.range(of: Data("\r\n\r\n".utf8)) else { return false }
            let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard received.count - end.upperBound >= length else { return false }
            answer = (head, Data(received[end.upperBound..<(end.upperBound + length)]))
            return true
        }
        guard let answer else { throw HarnessFailure(description: "no whole answer within \(limit): \(received.count) bytes") }
        return answer
    }

    private static func address(_ text: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }

    private static func failure(_ step: String) -> HarnessFailure {
        HarnessFailure(description: "\(step): \(String(cString: strerror(errno)))")
    }
}

extension RawConnection {
    /// The head of a request to `path` with a body of `length` bytes, and
    /// a bearer token when given.
    static func head(_ path: String, method: String = "POST", port: Int, length: Int? = nil, token: String? = nil) -> String {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Content-Type: application/json"]
        if let length { lines.append("Content-Length: \(length)") }
        if let token { lines.append("Authorization: Bearer \(token)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }
}
