import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

@Suite("The window of pictures in flight")
struct PictureWindowTests {
    /// Pictures held in their turn until the test lets one go, and what
    /// the window let in.
    private final class HeldPictures: Sendable {
        private struct State {
            var held: [CheckedContinuation<Void, Never>] = []
            var inFlight = 0
            var mostInFlight = 0
            var entered: [Int] = []
            /// Let go at once, every picture: a failed test ends.
            var open = false
        }

        private let state = Mutex(State())

        var inFlight: Int { state.withLock { $0.inFlight } }
        var mostInFlight: Int { state.withLock { $0.mostInFlight } }
        var entered: [Int] { state.withLock { $0.entered } }

        /// A picture's turn: it counts itself in and waits to be let go.
        func hold(_ picture: Int) async {
            await withCheckedContinuation { continuation in
                let held = state.withLock { state in
                    state.entered.append(picture)
                    guard !state.open else { return false }
                    state.inFlight += 1
                    state.mostInFlight = max(state.mostInFlight, state.inFlight)
                    state.held.append(continuation)
                    return true
                }
                if !held { continuation.resume() }
            }
        }

        /// Lets every picture go, those held and those to come: the tasks
        /// of a test that failed end instead of waiting forever.
        func letAllGo() {
            let held = state.withLock { state in
                state.open = true
                state.inFlight = 0
                defer { state.held.removeAll() }
                return state.held
            }
            for continuation in held { continuation.resume() }
        }

        /// Lets the longest held picture finish.
        func letOneGo() {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.held.isEmpty else { return nil }
                state.inFlight -= 1
                return state.held.removeFirst()
            }
            next?.resume()
        }
    }

    @Test(arguments: [false, true])
    func neverMorePicturesInFlightThanTheWindowHolds(adapts: Bool) async throws {
        // An adapting window starts at its least, 16, and moves only as
        // pictures finish; a fixed one never moves.
        let window = PictureWindow(size: adapts ? 16 : 4, adapts: adapts)
        let size = window.size
        let pictures = HeldPictures()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for picture in 0..<(size * 5) {
                group.addTask { await window.withTurn { await pictures.hold(picture) } }
            }
            try await lettingAllGoOnFailure(pictures) {
                try #require(try await eventually { pictures.inFlight == size && window.waiting == size * 4 })
                // Once pictures finish, an adapting window follows their
                // times (WindowSizingTests); a fixed one lets one in as
                // one goes, to the end.
                if !adapts {
                    for finished in 1...(size * 5) {
                        pictures.letOneGo()
                        let expected = min(size, size * 5 - finished)
                        try #require(try await eventually { pictures.inFlight == expected })
                    }
                }
            }
            pictures.letAllGo()
            try await group.waitForAll()
        }
        #expect(pictures.mostInFlight == size)
        #expect(pictures.entered.count == size * 5)
    }

    @Test func picturesWaitingForTheirTurnAreServedInOrder() async throws {
        let window = PictureWindow(size: 1, adapts: false)
        let pictures = HeldPictures()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await window.withTurn { await pictures.hold(0) } }
            try await lettingAllGoOnFailure(pictures) {
                try #require(try await eventually { pictures.inFlight == 1 })
                // Each starts waiting only once the one before waits.
                for picture in 1...20 {
                    group.addTask { await window.withTurn { await pictures.hold(picture) } }
                    try #require(try await eventually { window.waiting == picture })
                }
                for _ in 0...20 {
                    let before = pictures.entered.count
                    pictures.letOneGo()
                    if before <= 20 { try #require(try await eventually { pictures.entered.count == before + 1 }) }
                }
            }
            try await group.waitForAll()
        }
        #expect(pictures.entered == Array(0...20))
    }

    @Test func aWindowThatShrinksLetsNoOneInUntilItsPicturesAreBelowItsSize() async throws {
        let permits = AsyncPermits(8)
        let pictures = HeldPictures()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for picture in 0..<12 {
                group.addTask { await permits.withPermit { await pictures.hold(picture) } }
            }
            try await lettingAllGoOnFailure(pictures) {
                try #require(try await eventually { pictures.inFlight == 8 && permits.waitingCount == 4 })
                permits.resize(to: 2)
                // Six of the eight finish: none of the waiting four is let in.
                for finished in 1...6 {
                    pictures.letOneGo()
                    try #require(try await eventually { pictures.inFlight == 8 - finished })
                }
                #expect(permits.waitingCount == 4)
                #expect(pictures.entered.count == 8)
                // Growing lets them in at once.
                permits.resize(to: 6)
                try #require(try await eventually { pictures.inFlight == 6 && permits.waitingCount == 0 })
                for _ in 0..<6 { pictures.letOneGo() }
            }
            try await group.waitForAll()
        }
        #expect(pictures.mostInFlight == 8)
    }

    /// Runs `body`; when it fails, every picture is let go first, so the
    /// group's tasks end and the failure is reported instead of a hang.
    private func lettingAllGoOnFailure(_ pictures: HeldPictures, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            pictures.letAllGo()
            throw error
        }
    }
}
