import Foundation

/// A destination that takes a watching agent's reports
/// (``NachetWire/AgentReport``): `serve`, through ``APIDestination``.
/// The datastore itself takes none (``Destination/reports``).
package protocol AgentReportReceiver: Sendable {
    /// Sends `report`; never throws: how it went is the outcome.
    func send(_ report: NachetWire.AgentReport) async -> AgentReportOutcome
}

/// How sending a report went.
package enum AgentReportOutcome: Sendable, Equatable {
    /// Taken; the next is due within this time, unless something changes before.
    case accepted(nextWithin: Duration)
    /// The server takes no reports (an older `serve`, Nachet's own backend):
    /// none is sent again.
    case notTaken(String)
    /// Not delivered now (the server cannot be reached, the token refused):
    /// tried again at the next report's time.
    case failed(String)
}
