import Foundation
import Testing

@testable import NachetSync

/// The live agent's decisions, on a clock the test moves: no inotify, no
/// folders, no sleeping.
@Suite("watch scheduler")
struct WatchSchedulerTests {
    let start = ContinuousClock.now
    let options = WatchOptions(stabilityWindow: .seconds(2), rescanInterval: .seconds(60), verifyInterval: .seconds(3_600))

    private func changes(folders: Set<String> = [], newFolders: Set<String> = [], fullScan: Bool = false) -> FolderChanges.Pending {
        var pending = FolderChanges.Pending()
        pending.folders = folders
        pending.newFolders = newFolders
        pending.fullScan = fullScan
        return pending
    }

    @Test func aFolderIsDueOnceQuietForTheWindowAndALaterChangePushesItBack() {
        var scheduler = WatchScheduler(options: options, start: start)
        _ = scheduler.fullScanFound([], polling: false, at: start)
        scheduler.take(changes(folders: ["/drop/a"], newFolders: ["/drop/b"]), at: start)
        #expect(scheduler.dueFolders(at: start + .seconds(1)).isEmpty)
        scheduler.take(changes(folders: ["/drop/a"]), at: start + .seconds(1))
        #expect(scheduler.dueFolders(at: start + .seconds(2)) == ["/drop/b"], "a new folder is due after the window too")
        #expect(scheduler.dueFolders(at: start + .seconds(3)) == ["/drop/a", "/drop/b"], "in name order")
        #expect(scheduler.nextWake(orAt: nil) == start + .seconds(2))
        let verifying = scheduler.passStarts("/drop/b")
        #expect(!verifying, "no datastore round started yet")
        #expect(scheduler.dueFolders(at: start + .seconds(3)) == ["/drop/a"])
    }

    @Test func aFullScanMakesEveryFolderDueAndTheNextComesAfterTheRescanOrPollInterval() {
        var scheduler = WatchScheduler(options: WatchOptions(rescanInterval: .seconds(60)), start: start)
        #expect(scheduler.isFullScanDue(at: start), "the first scan is at start")
        let startsRound = scheduler.fullScanFound(["/drop/a", "/drop/b"], polling: false, at: start)
        #expect(!startsRound, "the check is off")
        #expect(scheduler.dueFolders(at: start) == ["/drop/a", "/drop/b"])
        #expect(!scheduler.isFullScanDue(at: start + .seconds(59)))
        #expect(scheduler.isFullScanDue(at: start + .seconds(60)))
        _ = scheduler.fullScanFound(["/drop/a"], polling: true, at: start + .seconds(60))
        #expect(scheduler.dueFolders(at: start + .seconds(60)) == ["/drop/a"], "a folder gone is no longer due")
        #expect(scheduler.nextFullScan == start + .seconds(65), "polled every 5 s while a folder has no watch")
        scheduler.take(changes(fullScan: true), at: start + .seconds(61))
        #expect(scheduler.isFullScanDue(at: start + .seconds(61)), "lost events ask for a scan now")
        scheduler.dropFolderVanished(at: start + .seconds(62))
        #expect(scheduler.nextFullScan == start + .seconds(62))
    }

    @Test func anOutagePausesEverythingDoublingUpToAMinuteAndSaysEachNewFailureOnce() {
        var scheduler = WatchScheduler(options: options, start: start)
        _ = scheduler.fullScanFound(["/drop/a", "/drop/b"], polling: false, at: start)
        var now = start
        var pauses: [Duration] = []
        var said: [Bool] = []
        for failure in ["down", "down", "down", "key refused", "key refused", "key refused", "key refused", "key refused"] {
            let (isNew, retryIn) = scheduler.passFailed(failure, at: now)
            pauses.append(retryIn)
            said.append(isNew)
            #expect(scheduler.dueFolders(at: now).isEmpty, "nothing else is started during the pause")
            #expect(!scheduler.isIdle(at: now), "unchanged sets are not checked during an outage either")
            #expect(!scheduler.isFullScanDue(at: now + retryIn - .milliseconds(1)))
            now += retryIn
            #expect(scheduler.isFullScanDue(at: now))
        }
        #expect(pauses == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(said == [true, false, false, true, false, false, false, false])

        _ = scheduler.fullScanFound(["/drop/a"], polling: false, at: now)
        _ = scheduler.passStarts("/drop/a")
        let ended = scheduler.passEnded("/drop/a", filesWaiting: false, at: now + .seconds(1))
        #expect(ended == "key refused")
        #expect(scheduler.isFullScanDue(at: now + .seconds(1)), "what the outage skipped is scanned at once")
        let endedAgain = scheduler.passEnded("/drop/a", filesWaiting: false, at: now + .seconds(2))
        #expect(endedAgain == nil, "said once")
        let nextFailure = scheduler.passFailed("down", at: now + .seconds(3))
        #expect(nextFailure.retryIn == .seconds(1), "the pause starts over")
    }

    @Test func aFolderWithFilesStillBeingWrittenIsLookedAtAgainSoon() {
        var scheduler = WatchScheduler(options: options, start: start)
        _ = scheduler.fullScanFound(["/drop/a"], polling: false, at: start)
        _ = scheduler.passStarts("/drop/a")
        _ = scheduler.passEnded("/drop/a", filesWaiting: true, at: start)
        #expect(scheduler.dueFolders(at: start + .milliseconds(499)).isEmpty)
        #expect(scheduler.dueFolders(at: start + .milliseconds(500)) == ["/drop/a"], "a quarter of the 2 s window")

        var quick = WatchScheduler(options: WatchOptions(stabilityWindow: .zero), start: start)
        _ = quick.passEnded("/drop/a", filesWaiting: true, at: start)
        #expect(quick.nextWake(orAt: nil) == start, "the first full scan is still due")
        _ = quick.fullScanFound([], polling: false, at: start)
        _ = quick.passEnded("/drop/a", filesWaiting: true, at: start)
        #expect(quick.nextWake(orAt: nil) == start + .milliseconds(100), "never sooner than 100 ms: no spinning")
    }

    @Test func aDatastoreRoundChecksEachFolderOnceAndPullsTheNextScanToItsTime() {
        var scheduler = WatchScheduler(options: options, start: start)
        let startsRound = scheduler.fullScanFound(["/drop/a", "/drop/b"], polling: false, at: start)
        #expect(startsRound, "a round at start")
        let checksA = scheduler.passStarts("/drop/a")
        #expect(checksA)
        _ = scheduler.passEnded("/drop/a", filesWaiting: false, at: start)
        let checksAAgain = scheduler.passStarts("/drop/a")
        #expect(!checksAAgain, "checked once per round")
        let checksB = scheduler.passStarts("/drop/b")
        #expect(checksB, "due until its pass ends")
        #expect(scheduler.nextFullScan == start + .seconds(60))

        let hourly = WatchOptions(rescanInterval: .seconds(7_200), verifyInterval: .seconds(3_600))
        var rare = WatchScheduler(options: hourly, start: start)
        _ = rare.fullScanFound(["/drop/a"], polling: false, at: start)
        #expect(rare.nextFullScan == start + .seconds(3_600), "a round due before the next rescan brings a scan of its own")
    }

    @Test func theLoopWakesForTheFirstOfADuePassAFullScanOrAStatusFile() {
        var scheduler = WatchScheduler(options: options, start: start)
        _ = scheduler.fullScanFound([], polling: false, at: start)
        #expect(scheduler.nextWake(orAt: nil) == start + .seconds(60))
        #expect(scheduler.nextWake(orAt: start + .seconds(5)) == start + .seconds(5))
        scheduler.take(changes(folders: ["/drop/a"]), at: start)
        #expect(scheduler.nextWake(orAt: start + .seconds(5)) == start + .seconds(2))
        #expect(scheduler.isIdle(at: start + .seconds(1)))
        #expect(!scheduler.isIdle(at: start + .seconds(2)))
        scheduler.passNow(["/drop/c"], at: start + .seconds(1))
        #expect(scheduler.dueFolders(at: start + .seconds(1)) == ["/drop/c"])
    }

    @Test func aMissingDropFolderIsSaidOnceAndItsReturnOnce() {
        var drops = DropFolderPresence(["/a", "/b"])
        #expect(drops.absent == ["/a", "/b"])
        let saidBackA = drops.available("/a")
        #expect(!saidBackA, "there from the start: nothing to say")
        let saidMissingB = drops.unavailable("/b")
        #expect(saidMissingB)
        let saidMissingBAgain = drops.unavailable("/b")
        #expect(!saidMissingBAgain, "said once")
        #expect(drops.absent == ["/b"])
        let saidBackB = drops.available("/b")
        #expect(saidBackB, "back")
        drops.vanished("/a")
        #expect(drops.absent == ["/a"])
        let saidMissingA = drops.unavailable("/a")
        #expect(!saidMissingA, "the disappearance was said already")
        let saidBackAAgain = drops.available("/a")
        #expect(saidBackAAgain)
        #expect(drops.absent.isEmpty)
    }
}
