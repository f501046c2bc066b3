import Foundation
import Glibc

/// A blocking TCP socket on 127.0.0.1, for tests that need a plain peer
/// whose pace they control (a receiver that lags, a server that answers late).
final class LoopbackSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String

        init(_ what: String) {
            description = "\(what): \(String(cString: strerror(errno)))"
        }
    }

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// A socket listening on a free port of 127.0.0.1.
    static func listen() throws -> LoopbackSocket {
        let socket = LoopbackSocket(descriptor: Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket.descriptor, 8) == 0 else { throw Failure("bind/listen") }
        return socket
    }

    /// A socket connected to `port` of 127.0.0.1.
    static func connect(port: Int) throws -> LoopbackSocket {
        let socket = LoopbackSocket(descriptor: Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure("connect to port \(port)") }
        return socket
    }

    /// The port a listening socket is bound to.
    var port: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The next connection to a listening socket.
    func accept() throws -> LoopbackSocket {
        let accepted = Glibc.accept(descriptor, nil, nil)
        guard accepted >= 0 else { throw Failure("accept") }
        return LoopbackSocket(descriptor: accepted)
    }

    /// Sends all of `data`, waiting while the socket's buffer is full.
    func send(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { throw Failure("send") }
                offset += sent
            }
        }
    }

    /// Receives until `count` bytes came or the other side closed.
    func receive(upTo count: Int = .max) throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while data.count < count {
            let wanted = min(chunk.count, count - data.count)
            let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, wanted, 0) }
            if received < 0 && errno == EINTR { continue }
            guard received >= 0 else { throw Failure("recv") }
            if received == 0 { break }
            data.append(contentsOf: chunk[0..<received])
        }
        return data
    }

    /// Closes the socket now (the other side reads the end).
    func shutdownBothWays() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

/// Runs blocking `body` on a thread of its own, off Swift's cooperative
/// threads (two on these machines), and returns what it returns.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
