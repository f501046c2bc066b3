import Foundation
import Hummingbird
import Logging
import NachetSync
import Synchronization

/// `GET /health` (no token needed) → 200 `{"status": "ok", "catalogue":
/// "ok", "blob_store": "ok"}` when the catalogue and the blob store both
/// answer within ``timeout``; else 503 with `"unavailable"` for the part
/// that did not. The reason goes to the log only: the route is open.
struct HealthRoute {
    let dependencies: RouteDependencies

    /// How long each part has to answer.
    static let timeout = Duration.seconds(5)

    private struct Answer: Encodable {
        var status: String
        var catalogue: String
        var blob_store: String
    }

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
            Answer(
                status: healthy ? "ok" : "unavailable", catalogue: catalogueOK ? "ok" : "unavailable",
                blob_store: blobsOK ? "ok" : "unavailable"),
            status: healthy ? .ok : .serviceUnavailable
        )
    }

    /// Whether `probe` finishes without error within ``timeout``. The probe
    /// runs in a task of its own and is not waited for past the timeout: a
    /// database call blocked on a dead server does not hold the answer.
    private func check(_ part: String, _ probe: @escaping @Sendable () async throws -> Void) async -> Bool {
        let failure: String? = await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            Task {
                do {
                    try await probe()
                    answer.give(nil)
                } catch {
                    answer.give("\(error)")
                }
            }
            Task {
                try? await Task.sleep(for: Self.timeout)
                answer.give("no answer within \(Self.timeout)")
            }
        }
        if let failure { dependencies.logger.warning("health check: the \(part) does not answer", metadata: ["reason": "\(failure)"]) }
        return failure == nil
    }
}

/// Resumes a continuation with the first value given, and ignores the rest.
final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: Value) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}
