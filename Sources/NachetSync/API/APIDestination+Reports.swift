import Foundation
import NIOHTTP1

extension APIDestination: AgentReportReceiver {
    /// `serve` takes reports (`POST /agent-report`); Nachet's own backend
    /// does not, and is not sent one.
    package var reports: (any AgentReportReceiver)? { self }

    package func send(_ report: NachetWire.AgentReport) async -> AgentReportOutcome {
        do {
            guard try await currentServer() == .serve else { return .notTaken("\(location) is Nachet's own backend") }
            let answer = try await client.send(.POST, NachetWire.agentReportPath, body: try Self.encoded(report))
            let next = (try? answer.decoded(NachetWire.AgentReportAnswer.self, from: location)).map { $0.report_interval_seconds }
            return .accepted(
                nextWithin: next.flatMap { $0.isFinite && $0 > 0 ? .milliseconds(Int64($0 * 1000)) : nil } ?? AgentReporter.defaultInterval)
        } catch  where error.code == .unexpected {
            // 404 or 405: a `serve` older than the fleet.
            return .notTaken("\(location) has no \(NachetWire.agentReportPath) route: an older nachet-sync serve")
        } catch {
            return .failed(error.message)
        }
    }

    private static func encoded(_ report: NachetWire.AgentReport) throws(APIError) -> NachetAPIClient.Body {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return .json(try encoder.encode(report))
        } catch {
            throw APIError(.refused, "cannot write the report: \(error)")
        }
    }
}
