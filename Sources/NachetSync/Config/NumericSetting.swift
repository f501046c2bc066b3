import Foundation

/// A setting that is a number, with the values it accepts: the one place
/// its flag (`--stability-window`) and its variable are checked, so `inf`, `nan` or `1e300` is a plain mistake, never a
/// crash when the number becomes a `Duration` or an `Int`.
package struct NumericSetting: Sendable, Equatable {
    /// The setting: its variable, flag and summary.
    package let setting: Setting
    /// The values accepted, bounds included.
    package var range: ClosedRange<Double>
    /// Whether only whole numbers are accepted.
    package var isWholeNumber: Bool
    /// What the number counts: "seconds", "files".
    package var unit: String
    /// An example of a good value, for messages.
    package var example: String

    init(_ setting: Setting, range: ClosedRange<Double>, isWholeNumber: Bool, unit: String, example: String) {
        self.setting = setting
        self.range = range
        self.isWholeNumber = isWholeNumber
        self.unit = unit
        self.example = example
    }

    /// The environment / configuration-file name.
    package var variable: String { setting.variable }
    /// The command-line flag.
    package var flag: String { setting.flag ?? setting.variable }
    /// What it sets, with its default.
    package var summary: String { setting.summary }

    /// The numeric setting read from `variable`, if it is one.
    package static func named(_ variable: String) -> NumericSetting? {
        all.first { $0.variable == variable }
    }

    /// What is accepted, as a sentence's end: "a number of seconds from 0
    /// to 3600, such as 2 or 0.5".
    package var expectation: String {
        let kind = isWholeNumber ? "a whole number of \(unit)" : "a number of \(unit)"
        return "\(kind) from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), such as \(example)"
    }

    /// `value` when it is accepted (finite, in range, whole if it must be),
    /// else `nil`.
    package func accepted(_ value: Double) -> Double? {
        guard value.isFinite, range.contains(value), !isWholeNumber || value.rounded() == value else { return nil }
        return value
    }

    /// The text of a flag or variable read as a number, when accepted.
    package func accepted(_ text: String) -> Double? {
        Double(text.trimmingCharacters(in: .whitespaces)).flatMap(accepted)
    }

    /// The message for a flag given a value out of range, for
    /// ArgumentParser's `ValidationError` (exit code 64).
    package func flagProblem(_ value: Double) -> String? {
        accepted(value) == nil ? "\(flag) must be \(expectation)" : nil
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
