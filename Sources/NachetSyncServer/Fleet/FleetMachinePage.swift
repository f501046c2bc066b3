import Foundation
import NachetSync

/// `GET /fleet/pc/NAME`: one lab PC — its light and why, what its agent
/// last reported, its folders in error with the reason and the fix the
/// technician sees (`nachet-sync status` on the PC says the same), its
/// outages, and the pictures it stored each day.
enum FleetMachinePage {
    /// Days of counts shown.
    static let days = 30

    static func render(_ row: FleetOverview.Row, now: Date) -> HTMLPage {
        var page = HTMLPage(title: "\(row.name) — nachet-sync fleet", refresh: FleetPage.refreshSeconds)
        page.raw("<p><a href=\"/fleet\">← all lab PCs</a></p>\n<h1>")
        page.text(row.name + " ")
        page.element("span", ["class": "light \(row.standing.light.rawValue)", "id": "state"], row.standing.light.rawValue)
        page.raw("</h1>\n")
        if !row.standing.reasons.isEmpty {
            page.raw("<ul class=\"why\" id=\"why\">")
            for reason in row.standing.reasons { page.element("li", [:], reason) }
            page.raw("</ul>\n")
        }
        facts(row, now: now, on: &page)
        if let report = row.machine?.report {
            folders(report, on: &page)
            outages(report, on: &page)
        }
        days(row, now: now, on: &page)
        return page
    }

    /// A PC the fleet does not know.
    static func unknown(_ name: String) -> HTMLPage {
        var page = HTMLPage(title: "Unknown lab PC — nachet-sync fleet", refresh: nil)
        page.raw("<p><a href=\"/fleet\">← all lab PCs</a></p>\n<h1>Unknown lab PC</h1>\n<p>")
        page.text("No token of the tokens file is named \(name), and no PC of that name was ever seen.")
        page.raw("</p>\n")
        return page
    }

    private static func facts(_ row: FleetOverview.Row, now: Date, on page: inout HTMLPage) {
        let machine = row.machine
        let report = machine?.report
        page.raw("<table class=\"facts\" id=\"facts\">")
        fact("Host", report?.host ?? "-", on: &page)
        fact(
            "Agent version",
            report.map { "nachet-sync \($0.version)" }
                ?? (machine == nil ? "-" : "sends no reports (an agent older than the fleet, or `sync`)"), on: &page)
        fact("Drop folders", report?.drop_folders.joined(separator: ", ") ?? "-", on: &page)
        for (title, date) in [
            ("Last seen", machine?.lastSeen), ("Last report", machine?.reportedAt), ("Last upload", machine?.lastUpload),
            ("First seen", machine?.firstSeen),
        ] {
            page.raw("<tr><th>")
            page.text(title)
            page.raw("</th>")
            FleetPage.when(date, now, never: "never", on: &page)
            page.raw("</tr>")
        }
        if let report {
            fact("Uploaded since the agent started", "\(report.uploaded_since_start)", on: &page)
            fact("Files waiting", "\(report.files_waiting) (\(FleetTime.bytes(report.bytes_waiting)))", on: &page)
            fact("Folders waiting (metadata.json, ready marker)", "\(report.folders_pending)", on: &page)
            fact("Folders in error", "\(report.folders_in_error)", on: &page)
        }
        page.raw("</table>\n")
    }

    private static func fact(_ title: String, _ value: String, on page: inout HTMLPage) {
        page.raw("<tr><th>")
        page.text(title)
        page.raw("</th><td>")
        page.text(value)
        page.raw("</td></tr>")
    }

    /// The folders in error, then those waiting, each with its reason.
    private static func folders(_ report: NachetWire.AgentReport, on page: inout HTMLPage) {
        let inError = report.folders.filter { $0.status != FolderStatus.Condition.waiting.rawValue }
        let waiting = report.folders.filter { $0.status == FolderStatus.Condition.waiting.rawValue }
        for (title, id, folders, total) in [
            ("Folders in error", "folders-in-error", inError, report.folders_in_error),
            ("Folders waiting", "folders-waiting", waiting, report.folders_pending),
        ] where total > 0 {
            page.element("h2", [:], title)
            if id == "folders-in-error" {
                page.raw(
                    "<p class=\"summary\">What the technician sees on the PC (<code>nachet-sync status</code>, and the folder's status file), with the fix.</p>\n"
                )
            }
            page.open("table", ["id": id])
            page.raw(
                "<thead><tr><th>Folder</th><th>Status</th><th>Reason and fix</th><th class=\"num\">Files waiting</th></tr></thead><tbody>")
            for folder in folders {
                page.open("tr", ["data-status": folder.status])
                page.element("td", [:], folder.path)
                page.element("td", [:], folder.headline)
                page.element("td", [:], folder.reason ?? "")
                page.element("td", ["class": "num"], "\(folder.files_waiting)")
                page.raw("</tr>")
            }
            page.raw("</tbody></table>\n")
            if total > folders.count {
                page.element(
                    "p", ["class": "summary"], "… and \(total - folders.count) more: `nachet-sync status` on the PC lists every folder.")
            }
        }
    }

    private static func outages(_ report: NachetWire.AgentReport, on page: inout HTMLPage) {
        guard !report.outages.isEmpty else { return }
        page.raw("<h2>Outages</h2>\n<ul id=\"outages\">")
        for outage in report.outages {
            page.element("li", [:], outage.problem + (outage.for_seconds.map { " — for \(FleetTime.span($0))" } ?? ""))
        }
        page.raw("</ul>\n")
    }

    private static func days(_ row: FleetOverview.Row, now: Date, on page: inout HTMLPage) {
        let counts = row.machine?.days ?? [:]
        guard !counts.isEmpty else { return }
        page.element("h2", [:], "Pictures stored, last \(days) days (UTC)")
        page.raw(
            "<table id=\"days\"><thead><tr><th>Day</th><th class=\"num\">Pictures</th><th class=\"num\">Bytes</th><th class=\"num\">Already there</th></tr></thead><tbody>"
        )
        for (day, count) in counts.sorted(by: { $0.key > $1.key }) {
            page.raw("<tr>")
            page.element("td", [:], day.text)
            page.element("td", ["class": "num"], "\(count.pictures)")
            page.element("td", ["class": "num"], FleetTime.bytes(count.bytes))
            page.element("td", ["class": "num"], "\(count.alreadyThere)")
            page.raw("</tr>")
        }
        page.raw("</tbody></table>\n")
    }
}
