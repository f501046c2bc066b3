import Foundation
import Hummingbird
import NachetSync

/// The routes `serve` answers, registered on one router: Nachet's, the
/// agents' reports, and the fleet's page.
enum NachetRoutes {
    static func register(on router: Router<NachetRequestContext>, dependencies: RouteDependencies, fleet: FleetLedger) {
        router.get("/health") { request, context in try await HealthRoute(dependencies: dependencies).respond(request, context: context) }
        router.post("/get-user-id") { request, context in
            try await GetUserIDRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.get("/seeds") { request, context in try await SeedsRoute(dependencies: dependencies).respond(request, context: context) }
        router.post("/new-batch-import") { request, context in
            try await NewBatchImportRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.post("/upload-picture") { request, context in
            try await UploadPictureRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.post("/upload-picture-raw") { request, context in
            try await UploadPictureRawRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.post("/get-directories") { request, context in
            try await GetDirectoriesRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.post("/get-picture") { request, context in
            try await GetPictureRoute(dependencies: dependencies).respond(request, context: context)
        }
        router.post(RouterPath(NachetWire.agentReportPath)) { request, context in
            try await AgentReportRoute(dependencies: dependencies, ledger: fleet).respond(request, context: context)
        }
        FleetRoutes.register(on: router, ledger: fleet)
    }
}
