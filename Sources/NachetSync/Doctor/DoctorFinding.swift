import Foundation

/// The outcome of one check of `nachet-sync doctor`: one line, ✓ or ✗,
/// what was checked, and what was found (with the fix when it failed).
package struct DoctorFinding: Sendable, Equatable, CustomStringConvertible {
    package var passed: Bool
    /// What was checked: `catalogue`, `drop folder /srv/seed-drop`.
    package var subject: String
    /// What was found; when it failed, what to do.
    package var detail: String

    package init(passed: Bool, _ subject: String, _ detail: String) {
        self.passed = passed
        self.subject = subject
        self.detail = detail
    }

    package static func pass(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(passed: true, subject, detail)
    }

    package static func fail(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(passed: false, subject, detail)
    }

    /// `✓ subject: detail` or `✗ subject: detail`, on one line whatever
    /// names the detail quotes from the drop folder.
    package var description: String { ((passed ? "✓ " : "✗ ") + subject + ": " + detail).escapingControlCharacters }
}
