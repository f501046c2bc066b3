import Foundation
import Hummingbird
import NIOCore
import NachetSync

/// `POST /agent-report` (an extension), a lab PC's token: the agent's
/// report (``NachetWire/AgentReport``), kept as the PC's last (the token's
/// name is the PC's) → `{"report_interval_seconds": N}`, when to report
/// next at the latest.
///
/// Read strictly and bounded: at most 64 KiB, each list and text within
/// ``NachetWire/AgentReport/Limits``, no control character, a key given
/// once (400 `bad-request` or `too-large`, naming the field); counts are
/// whole numbers, not negative. Nothing else is checked: the report is the
/// PC's word about itself, shown as such.
struct AgentReportRoute {
    let dependencies: RouteDependencies
    let ledger: FleetLedger

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.receivingReport
        guard let machine = try dependencies.caller(context).machine else {
            throw NachetAPIError.forbiddenToken("an administrator's token sends no report")
        }
        let limit = NachetWire.AgentReport.Limits.bodyBytes
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw NachetAPIError.request(action, "the report is larger than \(limit >> 10) KiB", code: .tooLarge)
        }
        let report = try Self.report(Array(bytes.readableBytesView), action: action)
        ledger.received(report, from: machine, at: Date())
        return JSONResponse.make(NachetWire.AgentReportAnswer(report_interval_seconds: ledger.reportInterval.seconds))
    }

    /// The report `bytes` hold, checked.
    static func report(_ bytes: [UInt8], action: NachetAction) throws(NachetAPIError) -> NachetWire.AgentReport {
        _ = try JSONRequestBody.parse(bytes, action: action)
        let report: NachetWire.AgentReport
        do {
            report = try JSONDecoder().decode(NachetWire.AgentReport.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .request(action, "\(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .request(action, "\(path(context.codingPath)) has the wrong type")
        } catch {
            throw .request(action, "the report is not one (\(type(of: error)))")
        }
        typealias Limits = NachetWire.AgentReport.Limits
        var texts: [(String, String, Int)] = [("version", report.version, Limits.text), ("host", report.host, Limits.text)]
        texts += report.drop_folders.enumerated().map { ("drop_folders[\($0.offset)]", $0.element, Limits.text) }
        for (index, folder) in report.folders.enumerated() {
            texts += [
                ("folders[\(index)].path", folder.path, Limits.text), ("folders[\(index)].status", folder.status, Limits.text),
                ("folders[\(index)].headline", folder.headline, Limits.text),
                ("folders[\(index)].reason", folder.reason ?? "", Limits.reason),
            ]
        }
        texts += report.outages.enumerated().map { ("outages[\($0.offset)].problem", $0.element.problem, Limits.reason) }
        for (field, text, limit) in texts {
            if text.count > limit { throw .request(action, "\(field) is longer than \(limit) characters") }
            if let problem = RequestText.problem(text, field: field) { throw .request(action, problem) }
        }
        for (list, count, limit) in [
            ("drop_folders", report.drop_folders.count, Limits.dropFolders), ("folders", report.folders.count, Limits.folders),
            ("outages", report.outages.count, Limits.outages),
        ] where count > limit {
            throw .request(action, "\(list) lists \(count); at most \(limit)")
        }
        let counts = [
            ("uploaded_since_start", Int64(report.uploaded_since_start)), ("files_waiting", Int64(report.files_waiting)),
            ("bytes_waiting", report.bytes_waiting), ("folders_pending", Int64(report.folders_pending)),
            ("folders_in_error", Int64(report.folders_in_error)),
        ]
        if let negative = counts.first(where: { $0.1 < 0 }) { throw .request(action, "\(negative.0) is negative") }
        return report
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
