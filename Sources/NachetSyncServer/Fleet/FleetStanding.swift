import Foundation
import NachetSync

/// Where a lab PC stands, as the fleet page's light says it, with why:
///
/// - **red**: pictures are not arriving. The PC has been quiet longer than
///   the quiet time while its last report had files waiting, or its agent
///   reported an outage (a store it cannot reach, its drop folder missing,
///   a pass stopped).
/// - **amber**: a person should look. Folders in error (a technician's fix:
///   the other folders keep uploading), a PC quiet with nothing waiting (it
///   may be off for the night), a token never used, or a token revoked.
/// - **green**: seen within the quiet time, and nothing of the above.
///
/// An agent that sends no report (older than the fleet, or `sync` run by
/// hand) is judged by its requests alone.
struct FleetStanding: Sendable, Equatable {
    enum Light: String, Sendable, CaseIterable, Comparable {
        case green, amber, red

        /// Worse lights sort after better ones.
        static func < (lhs: Light, rhs: Light) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    var light: Light
    /// Why, in short phrases; none for green.
    var reasons: [String]

    /// The standing of `machine` (`nil`: a token never used) at `now`.
    ///
    /// - Parameter hasToken: Whether its token is still in the tokens file.
    static func of(_ machine: FleetMachine?, hasToken: Bool, now: Date, quietAfter: Duration) -> FleetStanding {
        guard let machine else { return FleetStanding(light: .amber, reasons: ["never seen: the PC has not used its token yet"]) }
        var red: [String] = []
        var amber: [String] = []
        let quiet = now.timeIntervalSince(machine.lastSeen)
        let isQuiet = quiet > quietAfter.seconds
        let waiting = machine.summary?.filesWaiting ?? 0
        if isQuiet && waiting > 0 {
            red.append("quiet for \(FleetTime.span(quiet)) with \(waiting) \(waiting == 1 ? "file" : "files") waiting")
        } else if isQuiet {
            amber.append("quiet for \(FleetTime.span(quiet))")
        }
        if let summary = machine.summary {
            if let outage = summary.firstOutage {
                red.append("outage: \(outage)" + (summary.outages > 1 ? " (and \(summary.outages - 1) more)" : ""))
            }
            if summary.foldersInError > 0 {
                amber.append("\(summary.foldersInError) \(summary.foldersInError == 1 ? "folder" : "folders") in error")
            }
        }
        if !hasToken { amber.append("its token is no longer in the tokens file (revoked)") }
        let light: Light = !red.isEmpty ? .red : !amber.isEmpty ? .amber : .green
        return FleetStanding(light: light, reasons: red + amber)
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
