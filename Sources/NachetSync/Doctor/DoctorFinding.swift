import Foundation
import Synchronization

/// The outcome of one check of `nachet-sync doctor`: one line, ✓ or ✗,
/// what was checked, and what was found (with the fix when it failed).
public struct DoctorFinding: Sendable, Equatable, CustomStringConvertible {
    public var passed: Bool
    /// What was checked: `catalogue`, `drop folder /srv/seed-drop`.
    public var subject: String
    /// What was found; when it failed, what to do.
    public var detail: String

    public init(passed: Bool, _ subject: String, _ detail: String) {
        self.passed = passed
        self.subject = subject
        self.detail = detail
    }

    public static func pass(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(passed: true, subject, detail)
    }

    public static func fail(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(passed: false, subject, detail)
    }

    /// `✓ subject: detail` or `✗ subject: detail`.
    public var description: String { (passed ? "✓ " : "✗ ") + subject + ": " + detail }
}

/// Runs `body`, or gives up waiting for it after `limit`: a check that
/// gets no answer fails with `timedOut` instead of holding `doctor` up.
///
/// `body` runs in a task of its own and is cancelled at the limit; work it
/// cannot stop (a libpq call on its queue) is left to finish on its own,
/// unawaited, so the limit holds whatever the check is blocked on.
func withTimeLimit<T: Sendable>(_ limit: Duration, timedOut: T, _ body: @escaping @Sendable () async -> T) async -> T {
    let answer = FirstAnswer<T>()
    return await withCheckedContinuation { continuation in
        answer.wait(with: continuation)
        let work = Task { answer.give(await body()) }
        Task {
            try? await Task.sleep(for: limit)
            work.cancel()
            answer.give(timedOut)
        }
    }
}

/// Resumes one continuation with the first answer given; later ones are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func wait(with continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func give(_ value: T) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
