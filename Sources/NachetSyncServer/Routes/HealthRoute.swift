import Foundation
import Hummingbird
import Logging
import NachetSync

/// `GET /health` (no token needed) → 200 `{"status": "ok", "catalogue":
/// "ok", "blob_store": "ok"}` when the catalogue and the blob store both
/// answer within ``timeout``; else 503 with `"unavailable"` for the part
/// that did not. The reason goes to the log only: the route is open.
struct HealthRoute {
    let dependencies: RouteDependencies

    /// How long each part has to answer.
    static let timeout = Duration.seconds(5)

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let datastore = dependencies.datastore
        async let catalogue = check("catalogue") { _ = try await datastore.catalogue.seeds() }
        async let blobs = check("blob store") {
            // A blob that does not exist: any answer, even "no such
            // container", shows the store is reachable with these credentials.
            _ = try await datastore.blobStore.properties(of: BlobReference(container: "nachet-sync-health", name: "probe"))
        }
        let (catalogueOK, blobsOK) = await (catalogue, blobs)
        let healthy = catalogueOK && blobsOK
        return JSONResponse.make(
            NachetWire.HealthAnswer(
                status: healthy ? "ok" : "unavailable", catalogue: catalogueOK ? "ok" : "unavailable",
                blob_store: blobsOK ? "ok" : "unavailable"),
            status: healthy ? .ok : .serviceUnavailable
        )
    }

    /// Whether `probe` finishes without error within ``timeout``. The probe
    /// is not waited for past the timeout: a database call blocked on a dead
    /// server does not hold the answer.
    private func check(_ part: String, _ probe: @escaping @Sendable () async throws -> Void) async -> Bool {
        let failure: String? = await withTimeLimit(Self.timeout, timedOut: "no answer within \(Self.timeout)") {
            do {
                try await probe()
                return nil
            } catch {
                return ErrorWording.words(for: error)
            }
        }
        if let failure { dependencies.logger.warning("health check: the \(part) does not answer", metadata: ["reason": "\(failure)"]) }
        return failure == nil
    }
}
