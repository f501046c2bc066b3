import Foundation
import Hummingbird
import NachetSync

/// `POST /get-directories` with `{"container_name": "<user id>"}` →
/// `{"folders": [{"picture_set_id", "folder_name", "nb_pictures",
/// "pictures": [{"picture_id", "is_validated", "inference_exist"}]}]}`:
/// the user's picture sets, for Nachet's web UI. A picture with a
/// `picture_seed` row counts as validated (every picture nachet-sync stores
/// has one); nachet-sync keeps no inferences, so `inference_exist` is false.
struct GetDirectoriesRoute {
    let dependencies: RouteDependencies

    private typealias Answer = NachetWire.DirectoriesAnswer

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.retrievingDirectories
        let caller = try dependencies.caller(context)
        let body = try await dependencies.json(request, action: action)
        guard let container = try body.text("container_name", action: action) else {
            throw NachetAPIError.request(action, "Missing container name")
        }
        context.exchange.user = container
        return try await answering(action, context: context) {
            let owner = try await UserAccess.user(id: container, caller: caller, datastore: dependencies.datastore, action: action)
            let listings = try await dependencies.datastore.catalogue.pictureSetListings(ownerID: owner.id)
            let folders = listings.map { listing in
                Answer.Folder(
                    picture_set_id: listing.set.id.lowercased,
                    folder_name: listing.set.name,
                    nb_pictures: listing.pictures.count,
                    pictures: listing.pictures.map {
                        Answer.Picture(picture_id: $0.id.lowercased, is_validated: $0.isValidated, inference_exist: false)
                    }
                )
            }
            return JSONResponse.make(Answer(folders: folders))
        }
    }
}
