import Foundation
import HTTPTypes
import Hummingbird
import NachetSync

/// `POST /new-batch-import` with `{"container_name": "<user id>",
/// "nb_pictures": <integer > 0>, "folder_name": "…"}` → `{"session_id":
/// "<picture set id>"}`: the user's picture set named `folder_name`, with
/// its blob folder (container and marker).
///
/// Extension: a folder name the user already has answers that set's id, so
/// a re-run resumes it (Nachet's backend refuses it: "Folder already
/// exists"); `X-Nachet-Session-Created: true|false` says which. Without a
/// folder name, each call makes a new set, named with a new UUID.
/// `nb_pictures` is checked as Nachet checks it, but not stored: the set's
/// `number_of_images` counts the pictures stored, as the agent keeps it.
/// `folder_name` follows the agent's rule (``FolderName``): stored in NFC,
/// at most ``FolderName/maximumBytes`` bytes, no look-alike characters.
struct NewBatchImportRoute {
    let dependencies: RouteDependencies

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.initiatingBatchUpload
        let caller = try dependencies.caller(context)
        let body = try await dependencies.json(request, action: action)
        guard body.has("container_name"), body.has("nb_pictures") else {
            throw NachetAPIError.request(action, "missing request arguments: either container_name or nb_pictures is missing")
        }
        let container = try? body.text("container_name", action: action)
        guard let container, case .integer(let count) = body.fields["nb_pictures"], count > 0 else {
            throw NachetAPIError.request(action, "wrong request arguments: either container_name or nb_pictures is wrong")
        }
        // Judged before anything is written, as it will be stored (NFC): a
        // name the blob store cannot hold would leave a set without its
        // folder, and "café" sent composed or decomposed is one set.
        let given = try body.text("folder_name", action: action) ?? UUID().lowercased
        if let problem = FolderName.problem(with: given) {
            throw NachetAPIError.request(action, "folder_name \(problem); \(FolderName.rule)")
        }
        let name = FolderName.normalized(given)
        context.exchange.user = container
        return try await answering(action, context: context) {
            let datastore = dependencies.datastore
            let owner = try await UserAccess.user(id: container, caller: caller, datastore: datastore, action: action)
            // Through the shared destination: the sets asked for by many
            // clients at once are found or made in one statement.
            let (set, created) = try await datastore.destination.findOrCreatePictureSet(
                NewPictureSet(ownerID: owner.id, name: name, document: PictureSetDocument(createdBy: owner.id)))
            try await datastore.prepareFolder(of: set)
            return JSONResponse.make(["session_id": set.id.lowercased], headers: [.nachetSessionCreated: created ? "true" : "false"])
        }
    }
}
