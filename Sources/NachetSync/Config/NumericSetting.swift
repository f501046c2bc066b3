import Foundation

/// A setting that is a number, with the values it accepts: the one place
/// flags (`--stability-window`) and settings (`NACHET_SYNC_STABILITY_WINDOW`)
/// are checked, so `inf`, `nan` or `1e300` is a plain mistake, never a
/// crash when the number becomes a `Duration` or an `Int`.
public struct NumericSetting: Sendable, Equatable {
    /// The environment / configuration-file name.
    public var variable: String
    /// The command-line flag.
    public var flag: String
    /// The values accepted, bounds included.
    public var range: ClosedRange<Double>
    /// Whether only whole numbers are accepted.
    public var isWholeNumber: Bool
    /// What the number counts: "seconds", "files".
    public var unit: String
    /// An example of a good value, for messages.
    public var example: String
    /// What it sets, with its default, for `--help` and the list of settings
    /// (``Settings/known``); empty where those say it themselves.
    public var summary = ""

    /// Seconds a file must stay unchanged before it is taken: 0 (at once)
    /// to an hour.
    public static let stabilityWindow = NumericSetting(
        variable: "NACHET_SYNC_STABILITY_WINDOW", flag: "--stability-window", range: 0...3_600, isWholeNumber: false,
        unit: "seconds", example: "2 or 0.5")
    /// Seconds between full scans: 1 to a day.
    public static let rescanInterval = NumericSetting(
        variable: "NACHET_SYNC_RESCAN_INTERVAL", flag: "--rescan-interval", range: 1...86_400, isWholeNumber: false,
        unit: "seconds", example: "60")
    /// Pictures in flight at once: 1 to 256.
    public static let parallelUploads = NumericSetting(
        variable: "NACHET_SYNC_PARALLEL_UPLOADS", flag: "--parallel-uploads", range: 1...256, isWholeNumber: true,
        unit: "pictures", example: "32")

    /// Hours between datastore checks (at start, then every so many hours
    /// in `watch`): 0 turns them off; at most a year.
    public static let verifyEvery = NumericSetting(
        variable: "NACHET_SYNC_VERIFY_EVERY", flag: "--verify-every", range: 0...8_760, isWholeNumber: false,
        unit: "hours", example: "24, or 0 for never")

    /// Seconds a request to an unreachable catalogue or blob store is
    /// retried before the agent gives up: 1 to an hour.
    public static let giveUpAfter = NumericSetting(
        variable: "NACHET_SYNC_GIVE_UP_AFTER", flag: "--give-up-after", range: 1...3_600, isWholeNumber: false,
        unit: "seconds", example: "60")

    /// Every numeric setting.
    public static let all: [NumericSetting] =
        [.stabilityWindow, .rescanInterval, .parallelUploads, .verifyEvery, .giveUpAfter] + serveLimits + [.serveFleetQuietAfter]

    /// The numeric setting read from `variable`, if it is one.
    public static func named(_ variable: String) -> NumericSetting? {
        all.first { $0.variable == variable }
    }

    /// What is accepted, as a sentence's end: "a number of seconds from 0
    /// to 3600, such as 2 or 0.5".
    public var expectation: String {
        let kind = isWholeNumber ? "a whole number of \(unit)" : "a number of \(unit)"
        return "\(kind) from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), such as \(example)"
    }

    /// `value` when it is accepted (finite, in range, whole if it must be),
    /// else `nil`.
    public func accepted(_ value: Double) -> Double? {
        guard value.isFinite, range.contains(value), !isWholeNumber || value.rounded() == value else { return nil }
        return value
    }

    /// The text of a flag or variable read as a number, when accepted.
    public func accepted(_ text: String) -> Double? {
        Double(text.trimmingCharacters(in: .whitespaces)).flatMap(accepted)
    }

    /// The message for a flag given a value out of range, for
    /// ArgumentParser's `ValidationError` (exit code 64).
    public func flagProblem(_ value: Double) -> String? {
        accepted(value) == nil ? "\(flag) must be \(expectation)" : nil
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
