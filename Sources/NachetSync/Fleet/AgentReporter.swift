import Foundation
import Logging

/// Tells `serve` where this watching agent stands
/// (``NachetWire/AgentReport``): at start, when its condition changes
/// (a folder in error or fixed, an outage begins or ends), and at least as
/// often as the server asks (every minute at most). Runs beside the watch
/// loop, through the destination's ``AgentReportReceiver``.
///
/// It costs the agent a report built from what it keeps anyway, compared
/// every ``checkInterval``, and one small request a minute; a server that
/// takes no reports (an older `serve`, Nachet's own backend) is asked
/// once, said at info level, and never again.
struct AgentReporter: Sendable {
    /// How often the report is built and compared with the last one sent.
    static let checkInterval = Duration.seconds(2)
    /// How often to report until the server says.
    static let defaultInterval = Duration.seconds(60)

    let receiver: any AgentReportReceiver
    let board: WatchStatusBoard
    let folders: FolderTally
    let logger: Logger

    /// Reports until the task is cancelled, or the server takes none.
    func run() async {
        let host = NachetWire.AgentReport.hostName
        let clock = ContinuousClock()
        var interval = Self.defaultInterval
        var lastCondition: NachetWire.AgentReport?
        var nextDue = clock.now
        var failing = false
        while !Task.isCancelled {
            let report = NachetWire.AgentReport.watching(
                board.current, folders: folders.summary(listing: NachetWire.AgentReport.Limits.folders), host: host, now: Date())
            if clock.now >= nextDue || report.condition != lastCondition {
                switch await receiver.send(report) {
                case .accepted(let within):
                    interval = min(max(within, .seconds(1)), .seconds(3600))
                    lastCondition = report.condition
                    if failing { logger.debug("report sent again") }
                    failing = false
                case .notTaken(let reason):
                    logger.info("the server takes no reports of this agent (\(reason)); its fleet page will not show this PC's folders")
                    return
                case .failed(let reason):
                    // The uploads say an unreachable server or a refused
                    // token; the report is only tried again later.
                    if !failing { logger.debug("cannot send the report; trying again later", metadata: ["error": "\(reason)"]) }
                    failing = true
                    lastCondition = report.condition
                }
                nextDue = clock.now + interval
            }
            try? await Task.sleep(for: Self.checkInterval)
        }
    }
}
