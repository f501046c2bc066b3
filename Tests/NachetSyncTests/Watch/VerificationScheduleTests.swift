import Foundation
import Testing

@testable import NachetSync

/// When `watch` checks the datastore: at start, then every interval, and
/// never so often that it could spin.
@Suite("verification schedule")
struct VerificationScheduleTests {
    @Test func roundsComeAtStartThenEveryIntervalAndAFolderStaysDueUntilChecked() {
        let start = ContinuousClock.now
        var schedule = VerificationSchedule(interval: .seconds(3_600), start: start)

        let round1 = schedule.fullScan(found: ["/drop/a", "/drop/b"], at: start)
        #expect(round1, "a round at start")
        #expect(schedule.isDue("/drop/a") && schedule.isDue("/drop/b"))
        schedule.checked("/drop/a")
        #expect(!schedule.isDue("/drop/a"))
        let round2 = schedule.fullScan(found: ["/drop/a", "/drop/b"], at: start + .seconds(60))
        #expect(!round2, "no round before the interval")
        #expect(schedule.isDue("/drop/b"), "still due after a scan between rounds (an outage delayed its pass)")
        schedule.keep(only: ["/drop/a"])
        #expect(!schedule.isDue("/drop/b"), "a folder that left is not waited for")
        #expect(schedule.nextRound == start + .seconds(3_600))
        let round3 = schedule.fullScan(found: ["/drop/a"], at: start + .seconds(3_600))
        #expect(round3)
        #expect(schedule.isDue("/drop/a"))
    }

    @Test(arguments: [nil, Duration.zero, .seconds(-5)])
    func noIntervalZeroOrNegativeMeansNever(interval: Duration?) {
        let start = ContinuousClock.now
        var schedule = VerificationSchedule(interval: interval, start: start)

        let round4 = schedule.fullScan(found: ["/drop/a"], at: start)
        #expect(!round4)
        #expect(schedule.nextRound == nil && !schedule.isDue("/drop/a"))
    }

    @Test func aTinyIntervalIsRaisedSoRoundsNeverFollowEachOtherAtOnce() {
        let start = ContinuousClock.now
        var schedule = VerificationSchedule(interval: .milliseconds(1), start: start)

        let round5 = schedule.fullScan(found: ["/drop/a"], at: start)
        #expect(round5)
        #expect(schedule.nextRound == start + VerificationSchedule.shortestInterval)
        let round6 = schedule.fullScan(found: ["/drop/a"], at: start + .seconds(1))
        #expect(!round6)
    }

    @Test func hoursBecomeAnIntervalAndZeroTurnsTheCheckOff() {
        #expect(VerificationSchedule.interval(hours: 24) == .seconds(86_400))
        #expect(VerificationSchedule.interval(hours: 0.5) == .seconds(1_800))
        #expect(VerificationSchedule.interval(hours: 0) == nil)
    }
}
