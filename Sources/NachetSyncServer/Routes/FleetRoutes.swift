import Foundation
import Hummingbird
import NachetSync

/// The paths of the fleet's page, which only an administrator's token
/// opens (``BearerAuthenticationMiddleware``).
enum FleetPaths {
    static func contains(_ path: String) -> Bool {
        path == "/fleet" || path == "/fleet.json" || path.hasPrefix("/fleet/")
    }
}

/// `GET /fleet` (the page), `GET /fleet.json` (the same for scripts),
/// `GET /fleet/pc/NAME` (one PC): the lab PCs as the fleet store holds
/// them now (``FleetLedger``). 503 while the fleet is off, saying why.
struct FleetRoutes {
    let ledger: FleetLedger

    static func register(on router: Router<NachetRequestContext>, ledger: FleetLedger) {
        let routes = FleetRoutes(ledger: ledger)
        router.get("/fleet") { request, _ in try await routes.page(request) }
        router.get("/fleet.json") { request, _ in try await routes.json(request) }
        router.get("/fleet/pc/:name") { _, context in try await routes.machine(context.parameters.get("name") ?? "") }
    }

    func page(_ request: Request) async throws -> Response {
        do throws(FleetUnavailable) {
            return FleetPage.render(try await ledger.overview(), order: order(of: request)).response()
        } catch {
            return unavailable(error)
        }
    }

    func json(_ request: Request) async throws -> Response {
        do throws(FleetUnavailable) {
            return JSONResponse.make(FleetJSON(try await ledger.overview(withReports: true), order: order(of: request)))
        } catch {
            return JSONResponse.make([error.reason], status: .serviceUnavailable)
        }
    }

    func machine(_ name: String) async throws -> Response {
        do throws(FleetUnavailable) {
            guard let (row, now) = try await ledger.row(named: name, days: FleetMachinePage.days) else {
                return FleetMachinePage.unknown(name).response(status: .notFound)
            }
            return FleetMachinePage.render(row, now: now).response()
        } catch {
            return unavailable(error)
        }
    }

    private func order(of request: Request) -> FleetOrder {
        FleetOrder(sort: request.uri.queryParameters.get("sort"), order: request.uri.queryParameters.get("order"))
    }

    private func unavailable(_ error: FleetUnavailable) -> Response {
        var page = HTMLPage(title: "The fleet is unavailable — nachet-sync", refresh: FleetPage.refreshSeconds)
        page.raw("<h1>The fleet is unavailable</h1>\n<p id=\"reason\">")
        page.text(error.reason)
        page.raw("</p>\n")
        return page.response(status: .serviceUnavailable)
    }
}
