/// Whether a transfer keeps a minimum average rate while the server waits
/// for the other end: a request body arriving, an answer being taken.
///
/// Only the time the server waits for the client counts (a read asked for
/// and not yet answered; an answer the connection cannot take more of): a
/// server busy with its datastore never makes its client look slow. Once
/// the time waited reaches the window, the bytes moved in it must average
/// the rate; then the next window starts. So a client sending one byte
/// every few seconds is cut after one window, however often its bytes
/// would have reset an idle timer.
///
/// A value type with the time given at each step, so it is tested without
/// a clock.
struct TransferPace: Sendable {
    /// Bytes per second the transfer must average.
    let minimumRate: Int
    /// The time waited over which the rate is averaged.
    let window: Duration

    private var waited: Duration = .zero
    private var bytes = 0
    private var waitingSince: ContinuousClock.Instant?

    init(minimumRate: Int, window: Duration) {
        self.minimumRate = minimumRate
        self.window = window
    }

    /// Whether the server waits for the client from `now` on.
    mutating func waiting(_ isWaiting: Bool, at now: ContinuousClock.Instant) {
        if isWaiting {
            if waitingSince == nil { waitingSince = now }
        } else if let since = waitingSince {
            waited += now - since
            waitingSince = nil
        }
    }

    /// `count` more bytes moved.
    mutating func moved(_ count: Int) {
        bytes += count
    }

    /// The verdict at `now`: `nil` while the window is not over or the
    /// client kept the rate (the next window then starts), else the rate
    /// it averaged, in bytes per second.
    mutating func check(at now: ContinuousClock.Instant) -> Double? {
        let total = waited + (waitingSince.map { now - $0 } ?? .zero)
        guard total >= window else { return nil }
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        let rate = Double(bytes) / seconds
        waited = .zero
        bytes = 0
        if waitingSince != nil { waitingSince = now }
        return rate < Double(minimumRate) ? rate : nil
    }
}
