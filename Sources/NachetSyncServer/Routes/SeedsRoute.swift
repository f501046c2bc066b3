import Foundation
import Hummingbird
import NachetSync

/// `GET /seeds` → `{"seeds": [{"seed_id": "<uuid>", "seed_name": "…"}]}`,
/// the seed catalogue as read now.
struct SeedsRoute {
    let dependencies: RouteDependencies

    private struct Answer: Encodable {
        struct Entry: Encodable {
            var seed_id: String
            var seed_name: String
        }
        var seeds: [Entry]
    }

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        _ = try dependencies.caller(context)
        return try await answering(.retrievingSeeds, context: context) {
            let seeds = try await dependencies.datastore.catalogue.seeds()
            return JSONResponse.make(Answer(seeds: seeds.map { .init(seed_id: $0.id.lowercased, seed_name: $0.name) }))
        }
    }
}
