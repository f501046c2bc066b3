import Foundation
import Glibc

/// Tells systemd how the service is doing, through the `NOTIFY_SOCKET`
/// datagram socket (`sd_notify`'s protocol, without libsystemd): `READY=1`
/// once the first scan is done, `STATUS=` lines, `WATCHDOG=1` pings when the
/// unit sets `WatchdogSec=`, and `STOPPING=1`. Does nothing outside systemd.
package struct SystemdNotifier: Sendable {
    private let socketPath: String?
    /// Half the watchdog interval systemd asked for, when it asked.
    package let watchdogInterval: Duration?

    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap(Int64.init).map { .microseconds($0 / 2) }
    }

    /// Whether the agent runs under systemd with notifications on.
    package var isActive: Bool { socketPath != nil }

    package func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    package func status(_ status: String) { send("STATUS=\(status)") }
    package func watchdog() { send("WATCHDOG=1") }
    package func stopping() { send("STOPPING=1") }

    /// Pings the watchdog every ``watchdogInterval`` until the task is
    /// cancelled; returns at once when systemd asked for no pings. Run as a
    /// task of its own, so a long upload or request never looks like a hang.
    package func keepWatchdogFed() async {
        guard let interval = watchdogInterval else { return }
        while !Task.isCancelled {
            watchdog()
            try? await Task.sleep(for: interval)
        }
    }

    private func send(_ message: String) {
        guard var path = socketPath else { return }
        // A leading '@' names Linux's abstract socket namespace.
        if path.hasPrefix("@") { path = "\0" + path.dropFirst() }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withCString { text in sendto(descriptor, text, strlen(text), 0, socketAddress, length) }
            }
        }
    }
}
