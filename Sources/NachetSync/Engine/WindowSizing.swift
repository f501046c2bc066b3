/// How many pictures to keep in flight, from what the network shows: the
/// bandwidth-delay product of the path to the destination, checked against
/// the throughput it buys (a value with no I/O, told each picture's time).
///
/// A picture's time runs from its turn in the window until the destination
/// stored it: read, hashed, its row and its blob written. The shortest time
/// seen lately is the path's round trip (with the work no picture skips);
/// the pictures finished per second over a measurement are the throughput.
/// Their product is how many pictures the path holds, and the window aims at
/// twice that, so the path stays full while the next pictures are read:
///
/// - a window too small to fill the path finishes its pictures in about the
///   shortest time, so the product is the window itself: it doubles;
/// - a growth that did not raise the throughput by a quarter showed the path
///   (or the CPU, or the service) full: the window goes back to what it was
///   and stays there while the throughput holds (pictures queued behind a
///   full path take longer, which would otherwise read as a longer path);
/// - a path that gets slower finishes fewer pictures per second: the window
///   shrinks to twice what it now holds.
///
/// A measurement ends once a window of pictures finished and two shortest
/// times passed. Only measurements during which pictures waited for room
/// change the window: when the folders supply fewer pictures than it holds,
/// the throughput says nothing about the path. The window stays within
/// ``minimum`` and ``maximum`` (and the memory small files hold at once is
/// bounded besides, ``PictureReader``).
struct WindowSizing: Sendable, Equatable {
    typealias Instant = ContinuousClock.Instant

    /// A window and the pictures per second it gave.
    struct Measurement: Sendable, Equatable {
        var window: Int
        var perSecond: Double
    }

    /// The least pictures in flight.
    let minimum: Int
    /// The most pictures in flight.
    let maximum: Int
    /// The window now.
    private(set) var window: Int

    /// The shortest picture time of this round of measurements, and of the
    /// round before: the shortest lately is the lesser, so a path that got
    /// longer is seen within two rounds.
    private var shortestThisRound: Duration?
    private var shortestLastRound: Duration?
    private var measurementsThisRound = 0
    /// Measurements after which the shortest time is taken anew.
    static let measurementsPerRound = 4

    /// The measurement under way: pictures finished since `since`, and
    /// whether any waited for room.
    private var finished = 0
    private var since: Instant?
    private var waited = false

    /// The last measurement, before the window changed or stayed.
    private(set) var last: Measurement?
    /// Where a growth stopped paying: the window stays there until the
    /// throughput moves by more than a quarter.
    private(set) var plateau: Measurement?

    init(start: Int, minimum: Int, maximum: Int) {
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        window = min(max(start, self.minimum), self.maximum)
    }

    /// The shortest picture time seen lately.
    var shortest: Duration? {
        switch (shortestThisRound, shortestLastRound) {
        case (let this?, let last?): min(this, last)
        case (let this, let last): this ?? last
        }
    }

    /// A picture took `time`, finishing at `now`; `othersWaited` says
    /// whether pictures were waiting for room in the window meanwhile.
    /// - Returns: Whether the window changed.
    @discardableResult
    mutating func finished(after time: Duration, at now: Instant, othersWaited: Bool) -> Bool {
        if shortestThisRound.map({ time < $0 }) ?? true { shortestThisRound = time }
        waited = waited || othersWaited
        guard let since else {
            // The first picture of a measurement: it started `time` ago.
            self.since = now - time
            finished = 1
            return false
        }
        finished += 1
        let elapsed = now - since
        guard let shortest, finished >= window, elapsed >= shortest * 2, elapsed > .zero else { return false }
        let measurement = Measurement(window: window, perSecond: Double(finished) / elapsed.seconds)
        let limited = waited
        beginMeasurement(at: now)
        measurementsThisRound += 1
        if measurementsThisRound >= Self.measurementsPerRound {
            shortestLastRound = shortestThisRound
            shortestThisRound = nil
            measurementsThisRound = 0
        }
        defer { last = measurement }
        guard limited else { return false }
        return adjust(after: measurement, shortest: shortest)
    }

    /// No picture is in flight nor waiting: the next measurement starts with
    /// the next picture (an idle hour is no throughput of the path's).
    mutating func becameIdle() {
        since = nil
        finished = 0
        waited = false
    }

    private mutating func beginMeasurement(at now: Instant) {
        since = now
        finished = 0
        waited = false
    }

    /// Moves the window after `measurement`, a measurement during which
    /// pictures waited for room.
    private mutating func adjust(after measurement: Measurement, shortest: Duration) -> Bool {
        if let plateau, !Self.moved(measurement.perSecond, from: plateau.perSecond) {
            return false
        }
        plateau = nil
        if let last, last.window < measurement.window, !Self.grew(measurement.perSecond, from: last.perSecond) {
            // The growth bought nothing: the path was full at the last window.
            plateau = Measurement(window: last.window, perSecond: max(last.perSecond, measurement.perSecond))
            return change(to: last.window)
        }
        let held = measurement.perSecond * shortest.seconds
        let aim = Int((2 * held).rounded(.up))
        // At most a doubling at a time, so each growth is seen to pay.
        return change(to: min(aim, 2 * window))
    }

    private mutating func change(to next: Int) -> Bool {
        let next = min(max(next, minimum), maximum)
        guard next != window else { return false }
        window = next
        return true
    }

    /// Whether a throughput grew enough to have been bought by a growth of
    /// the window rather than by chance (a quarter: a doubling into a path
    /// that is not full nearly doubles it).
    private static func grew(_ perSecond: Double, from before: Double) -> Bool {
        perSecond >= before * 1.25
    }

    /// Whether a throughput moved by more than a quarter either way.
    private static func moved(_ perSecond: Double, from before: Double) -> Bool {
        perSecond > before * 1.25 || perSecond < before * 0.75
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
