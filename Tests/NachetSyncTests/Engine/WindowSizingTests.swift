import Testing

@testable import NachetSync

/// The window's sizing fed the picture times of a synthetic path: a round
/// trip and a bandwidth in pictures per second, with the pictures beyond
/// what the path holds queued behind it.
@Suite("Pictures in flight sized to the network")
struct WindowSizingTests {
    /// A path to a destination: each picture takes at least `roundTrip`,
    /// and no more than `bandwidth` pictures a second go through.
    struct Path {
        var roundTrip: Duration
        var bandwidth: Double

        /// How long each picture takes with `window` in flight, and how many
        /// finish per second.
        func picture(window: Int) -> (time: Duration, perSecond: Double) {
            let perSecond = min(Double(window) / roundTrip.seconds, bandwidth)
            return (.seconds(Double(window) / perSecond), perSecond)
        }
    }

    /// Feeds `sizing` `count` pictures through `path`, the window full and
    /// pictures waiting (`othersWaited`), and gives the windows it went through.
    @discardableResult
    static func run(
        _ sizing: inout WindowSizing, through path: Path, pictures count: Int, othersWaited: Bool = true,
        from start: inout ContinuousClock.Instant
    ) -> [Int] {
        var windows: [Int] = []
        for _ in 0..<count {
            let (time, perSecond) = path.picture(window: sizing.window)
            start += .seconds(1 / perSecond)
            sizing.finished(after: time, at: start, othersWaited: othersWaited)
            windows.append(sizing.window)
        }
        return windows
    }

    @Test func aWindowThatDoesNotFillThePathGrowsToTheMost() {
        var sizing = WindowSizing(start: 32, minimum: 16, maximum: 256)
        var now = ContinuousClock.now
        // 100 ms away, no bandwidth limit to speak of: 32 pictures in
        // flight give 320 a second, and each doubling doubles that.
        let windows = Self.run(
            &sizing, through: Path(roundTrip: .milliseconds(100), bandwidth: 1e9), pictures: 4_000, from: &now)
        let sizes = Set(windows).sorted()
        let neverShrank = zip(windows, windows.dropFirst()).allSatisfy { $0 <= $1 }
        #expect(sizes.count >= 4, "it grew a step at a time: \(sizes)")
        #expect(neverShrank)
        #expect(sizing.window == 256)
    }

    @Test func theWindowStopsGrowingWhenTheThroughputStopsGrowing() {
        var sizing = WindowSizing(start: 16, minimum: 16, maximum: 256)
        var now = ContinuousClock.now
        // 20 ms away at 2,500 pictures a second: the path holds 50. Beyond
        // that pictures only queue (and take longer, which a window aiming
        // at twice the shortest time lately would read as a longer path).
        let path = Path(roundTrip: .milliseconds(20), bandwidth: 2_500)
        let windows = Self.run(&sizing, through: path, pictures: 20_000, from: &now)
        let grew = windows.contains { $0 > 16 }
        let settled = Set(windows.suffix(10_000)).sorted()
        #expect(grew, "the window grew while the path was not full")
        #expect(settled.count == 1, "the window settled: \(settled)")
        #expect(sizing.window >= 50, "the path is kept full")
        #expect(sizing.window <= 100, "no more than twice what the path holds: \(sizing.window)")
    }

    @Test func theWindowStaysWithinItsBounds() {
        var now = ContinuousClock.now
        // A destination a minute away: the window would grow without end.
        var far = WindowSizing(start: 32, minimum: 16, maximum: 256)
        let farWindows = Self.run(
            &far, through: Path(roundTrip: .seconds(60), bandwidth: 1e9), pictures: 5_000, from: &now)
        #expect(far.window == 256)
        #expect(Set(farWindows).isSubset(of: 16...256))
        // One in the same process that then passes 100 pictures a second:
        // the path holds none, and the window goes to its least.
        var near = WindowSizing(start: 32, minimum: 16, maximum: 256)
        var nearWindows = Self.run(
            &near, through: Path(roundTrip: .microseconds(50), bandwidth: 1e9), pictures: 2_000, from: &now)
        nearWindows += Self.run(
            &near, through: Path(roundTrip: .microseconds(50), bandwidth: 100), pictures: 2_000, from: &now)
        #expect(near.window == 16)
        #expect(Set(nearWindows).isSubset(of: 16...256))
        // And a start outside them is brought within.
        #expect(WindowSizing(start: 1_000, minimum: 16, maximum: 256).window == 256)
        #expect(WindowSizing(start: 1, minimum: 16, maximum: 256).window == 16)
    }

    @Test func theWindowShrinksWhenThePathGetsSlower() {
        var sizing = WindowSizing(start: 32, minimum: 16, maximum: 256)
        var now = ContinuousClock.now
        Self.run(&sizing, through: Path(roundTrip: .milliseconds(20), bandwidth: 10_000), pictures: 10_000, from: &now)
        let before = sizing.window
        #expect(before >= 200, "the window filled the fast path: \(before)")
        // The same path at a twentieth of its bandwidth holds 10 pictures.
        Self.run(&sizing, through: Path(roundTrip: .milliseconds(20), bandwidth: 500), pictures: 5_000, from: &now)
        #expect(sizing.window <= 64, "from \(before) to \(sizing.window)")
    }

    @Test func aWindowTheFoldersDoNotFillDoesNotMove() {
        var sizing = WindowSizing(start: 64, minimum: 16, maximum: 256)
        var now = ContinuousClock.now
        // Pictures that take 50 µs each, 5,000 a second: the path holds a
        // quarter of one, which says "16 is enough", but the folders supplied
        // fewer than the window and no picture waited for room.
        var windows: [Int] = []
        for _ in 0..<5_000 {
            now += .microseconds(200)
            sizing.finished(after: .microseconds(50), at: now, othersWaited: false)
            windows.append(sizing.window)
        }
        #expect(Set(windows) == [64])
        // The same pictures with others waiting: the window goes to its least.
        for _ in 0..<5_000 {
            now += .microseconds(200)
            sizing.finished(after: .microseconds(50), at: now, othersWaited: true)
        }
        #expect(sizing.window == 16)
    }
}
