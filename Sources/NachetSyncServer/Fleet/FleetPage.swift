import Foundation
import NachetSync

/// `GET /fleet`: one row per lab PC, its light and why, sortable by state,
/// name and last seen (links with a query, no script), reloading itself.
enum FleetPage {
    /// Seconds between the page's reloads.
    static let refreshSeconds = 30

    static func render(_ overview: FleetOverview, order: FleetOrder) -> HTMLPage {
        var page = HTMLPage(title: "nachet-sync fleet", refresh: refreshSeconds)
        page.raw("<h1>Lab PCs</h1>\n")
        summary(overview, on: &page)
        page.raw("<table id=\"fleet\"><thead><tr>")
        header("State", sortingBy: .state, current: order, on: &page)
        header("PC", sortingBy: .name, current: order, on: &page)
        page.raw("<th>Host</th>")
        lastSeenHeader(current: order, on: &page)
        page.raw(
            "<th>Last upload</th><th class=\"num\">Today</th><th class=\"num\">7 days</th><th class=\"num\">Files waiting</th><th class=\"num\">Folders in error</th><th>Why</th><th>Version</th></tr></thead>\n<tbody>\n"
        )
        for row in overview.rows(in: order) { self.row(row, overview, on: &page) }
        page.raw("</tbody></table>\n")
        return page
    }

    private static func summary(_ overview: FleetOverview, on page: inout HTMLPage) {
        let counts = overview.counts
        page.open("p", ["class": "summary", "id": "summary"])
        page.text("\(overview.rows.count) lab \(overview.rows.count == 1 ? "PC" : "PCs"): ")
        for light in FleetStanding.Light.allCases.reversed() {
            page.element("span", ["class": "light \(light.rawValue)"], "\(counts[light, default: 0]) \(light.rawValue)")
            page.raw(" ")
        }
        page.text(
            "· quiet after \(FleetTime.span(overview.quietAfter.seconds)) without a request · as of \(FleetTime.iso(overview.now)), reloaded every \(refreshSeconds) s · the same for scripts: "
        )
        page.element("a", ["href": "/fleet.json"], "/fleet.json")
        page.close("p")
        page.raw("\n")
    }

    /// A column header sorting by `order`, marked when it is the current one.
    private static func header(_ title: String, sortingBy order: FleetOrder, current: FleetOrder, on page: inout HTMLPage) {
        page.raw("<th>")
        page.element("a", ["href": "/fleet" + order.query], title + (order == current ? " ▼" : ""))
        page.raw("</th>")
    }

    /// Last seen sorts oldest first; again, newest first.
    private static func lastSeenHeader(current: FleetOrder, on page: inout HTMLPage) {
        let next: FleetOrder = current == .lastSeen(newestFirst: false) ? .lastSeen(newestFirst: true) : .lastSeen(newestFirst: false)
        let mark =
            switch current {
            case .lastSeen(let newestFirst): newestFirst ? " ▼" : " ▲"
            default: ""
            }
        page.raw("<th>")
        page.element("a", ["href": "/fleet" + next.query, "id": "sort-last-seen"], "Last seen" + mark)
        page.raw("</th>")
    }

    private static func row(_ row: FleetOverview.Row, _ overview: FleetOverview, on page: inout HTMLPage) {
        let light = row.standing.light.rawValue
        let machine = row.machine
        page.open("tr", ["id": "pc-\(row.name)", "class": light, "data-state": light])
        page.raw("<td>")
        page.element("span", ["class": "light \(light)"], light)
        page.raw("</td><td class=\"name\">")
        page.element("a", ["href": "/fleet/pc/\(row.name)"], row.name)
        page.raw("</td>")
        page.element("td", ["class": "host"], machine?.summary?.host ?? "")
        when(machine?.lastSeen, overview.now, never: "never", on: &page)
        when(machine?.lastUpload, overview.now, never: "", on: &page)
        let today = row.stored(from: overview.today)
        let week = row.stored(from: overview.weekStart)
        page.element("td", ["class": "num", "title": FleetTime.bytes(today.bytes)], "\(today.pictures)")
        page.element("td", ["class": "num", "title": FleetTime.bytes(week.bytes)], "\(week.pictures)")
        let summary = machine?.summary
        page.element(
            "td", ["class": "num", "title": summary.map { FleetTime.bytes($0.bytesWaiting) } ?? ""],
            summary.map { "\($0.filesWaiting)" } ?? "")
        page.element("td", ["class": "num"], summary.map { "\($0.foldersInError)" } ?? "")
        page.element("td", ["class": "why"], row.standing.reasons.joined(separator: "; "))
        page.element("td", [:], summary?.version ?? (machine == nil ? "" : "no reports"))
        page.raw("</tr>\n")
    }

    /// A time cell: `3 min ago`, the time itself in its tooltip.
    static func when(_ date: Date?, _ now: Date, never: String, on page: inout HTMLPage) {
        guard let date else {
            page.element("td", ["class": "when"], never)
            return
        }
        page.element("td", ["class": "when", "title": FleetTime.iso(date)], FleetTime.ago(date, now: now))
    }
}
