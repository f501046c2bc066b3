import NIOCore
import Testing

@testable import NachetSyncServer

/// The connection caps, decision by decision: no socket.
@Suite("serve: the connection caps")
struct ConnectionTableTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func anAddressGetsItsShareAndNoMore() {
        var table = ConnectionTable<Int>(limit: 100, perAddressLimit: 2)
        #expect(table.admit(1, from: "10.0.0.1", at: at(0)) == .admitted)
        #expect(table.admit(2, from: "10.0.0.1", at: at(0)) == .admitted)
        #expect(table.admit(3, from: "10.0.0.1", at: at(0)) == .refusedAddressFull)
        #expect(table.admit(4, from: "10.0.0.2", at: at(0)) == .admitted)
        // An address without a per-address limit (a proxy on this machine).
        for id in 10..<20 { #expect(table.admit(id, from: nil, at: at(0)) == .admitted) }
        table.remove(1)
        #expect(table.admit(5, from: "10.0.0.1", at: at(0)) == .admitted)
        #expect(table.count(from: "10.0.0.1") == 2)
    }

    @Test func whenFullTheConnectionWaitingLongestMakesRoom() {
        var table = ConnectionTable<Int>(limit: 3, perAddressLimit: 0)
        #expect(table.admit(1, from: "a", at: at(0)) == .admitted)
        #expect(table.admit(2, from: "b", at: at(1)) == .admitted)
        #expect(table.admit(3, from: "c", at: at(2)) == .admitted)
        // 1 is busy with a request: 2 has waited longest.
        table.setWaiting(1, since: nil)
        #expect(table.admit(4, from: "d", at: at(3)) == .admittedInPlaceOf(2))
        #expect(table.count == 3)
        // 1 is waiting again (kept alive), since 5: 3 still waited longer.
        table.setWaiting(1, since: at(5))
        #expect(table.admit(5, from: "e", at: at(6)) == .admittedInPlaceOf(3))
    }

    @Test func whenEveryConnectionIsBusyANewOneIsRefused() {
        var table = ConnectionTable<Int>(limit: 2, perAddressLimit: 0)
        #expect(table.admit(1, from: "a", at: at(0)) == .admitted)
        #expect(table.admit(2, from: "a", at: at(0)) == .admitted)
        table.setWaiting(1, since: nil)
        table.setWaiting(2, since: nil)
        #expect(table.admit(3, from: "b", at: at(1)) == .refusedFull)
        #expect(table.count == 2)
        table.remove(2)
        #expect(table.admit(3, from: "b", at: at(1)) == .admitted)
    }

    @Test func aReplacedConnectionFreesItsAddressShare() {
        var table = ConnectionTable<Int>(limit: 1, perAddressLimit: 1)
        #expect(table.admit(1, from: "a", at: at(0)) == .admitted)
        #expect(table.admit(2, from: "b", at: at(1)) == .admittedInPlaceOf(1))
        #expect(table.count(from: "a") == 0)
        // Its close, reported later, changes nothing.
        table.remove(1)
        #expect(table.count == 1 && table.count(from: "b") == 1)
    }

    @Test func addressesAreCountedByIPv4AddressOrIPv6Network() throws {
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "127.0.0.2", port: 1)) == "127.0.0.2")
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "127.0.0.1", port: 1)) == nil)
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "::1", port: 1)) == nil)
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 1)) == nil)
        let one = ClientAddress.key(of: try SocketAddress(ipAddress: "2001:db8:1:2::10", port: 1))
        let other = ClientAddress.key(of: try SocketAddress(ipAddress: "2001:db8:1:2:ffff::7", port: 1))
        #expect(one == "2001:db8:1:2::/64" && other == one)
        #expect(ClientAddress.key(of: try SocketAddress(ipAddress: "2001:db8:1:3::10", port: 1)) != one)
        #expect(ClientAddress.key(of: nil) == nil)
    }
}
