import Testing

@testable import NachetSyncServer

/// The minimum rate, step by step with given times: no clock, no socket.
@Suite("serve: the minimum transfer rate")
struct TransferPaceTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    @Test func aClientKeepingTheRateIsNeverCut() {
        var pace = TransferPace(minimumRate: 1024, window: .seconds(30))
        pace.waiting(true, at: at(0))
        for second in 1...120 {
            pace.moved(1_100)
            #expect(pace.check(at: at(Double(second))) == nil, "second \(second)")
        }
    }

    @Test func aByteEveryFewSecondsIsCutAfterOneWindowHoweverOftenItComes() throws {
        var pace = TransferPace(minimumRate: 1024, window: .seconds(30))
        pace.waiting(true, at: at(0))
        var cut: Double?
        for tenth in 1...400 where cut == nil {
            if tenth % 30 == 0 { pace.moved(1) }
            if pace.check(at: at(Double(tenth) / 10)) != nil { cut = Double(tenth) / 10 }
        }
        #expect(cut == 30)
    }

    @Test func timeTheServerIsNotWaitingDoesNotCount() {
        var pace = TransferPace(minimumRate: 1024, window: .seconds(10))
        // The server waits 5 s, then is busy (its datastore) for a minute.
        pace.waiting(true, at: at(0))
        pace.waiting(false, at: at(5))
        #expect(pace.check(at: at(65)) == nil)
        // Waiting again: 5 more seconds without a byte make the window.
        pace.waiting(true, at: at(65))
        #expect(pace.check(at: at(69)) == nil)
        let rate = pace.check(at: at(70))
        #expect(rate == 0)
    }

    @Test func aBurstAtTheEndOfTheWindowCountsForIt() {
        var pace = TransferPace(minimumRate: 1024, window: .seconds(30))
        pace.waiting(true, at: at(0))
        #expect(pace.check(at: at(29)) == nil)
        pace.moved(31 * 1024)
        #expect(pace.check(at: at(30)) == nil)
        // The next window starts empty.
        #expect(pace.check(at: at(60)) == 0)
    }
}
