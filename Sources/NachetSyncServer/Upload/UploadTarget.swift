import Foundation
import NachetSync

/// Where and as what an upload is stored, once its fields are checked
/// against the datastore and the caller's rights.
struct UploadTarget: Sendable {
    var owner: CatalogueUser
    var set: PictureSetRecord
    /// The picture's attributes, as the agent records a file's.
    var draft: PictureDraft
    /// The SHA-256 the bytes must have, when the request gives one.
    var expectedSHA256: ContentHash?

    /// Checks `fields`: the user exists and the caller may act for it, the
    /// session is one of that user's picture sets, the seed exists.
    ///
    /// - Throws: ``NachetAPIError``: 400 for an unknown user, session or
    ///   seed or a malformed hash, 403 for a user the token may not act for
    ///   or another user's session.
    static func resolve(
        _ fields: UploadFields,
        caller: Caller,
        datastore: ServerDatastore,
        action: NachetAction
    ) async throws -> UploadTarget {
        let expected: ContentHash?
        if let text = fields.sha256 {
            guard let hash = ContentHash(hex: text) else { throw NachetAPIError.request(action, "sha256 must be 64 hexadecimal digits") }
            expected = hash
        } else {
            expected = nil
        }
        let owner = try await UserAccess.user(id: fields.containerName ?? "", caller: caller, datastore: datastore, action: action)
        let sessionText = fields.sessionID ?? ""
        guard let sessionID = UUID(uuidString: sessionText), let set = try await datastore.pictureSet(id: sessionID) else {
            throw NachetAPIError.datastore(
                action, "Picture set not found based on the given id: \(sessionText)", code: .unknownSession)
        }
        guard set.ownerID == owner.id else {
            throw NachetAPIError.forbidden(
                action, "the session \(sessionText) is a picture set of another user, not of \(owner.id.lowercased)")
        }
        let seed = try await seed(fields, datastore: datastore, action: action)
        let draft = PictureDraft(
            fileName: fields.fileName ?? "",
            seed: seed,
            zoom: fields.zoomLevel,
            seedCount: fields.seedCount,
            description: fields.description ?? ""
        )
        return UploadTarget(owner: owner, set: set, draft: draft, expectedSHA256: expected)
    }

    /// The seed `seed_id` names, else the one `seed_name` names (read the
    /// catalogue again before calling a name unknown: it may have just been
    /// added). Unlike Nachet's backend, an unknown `seed_name` is refused,
    /// never created: a typo would add a seed to the catalogue.
    private static func seed(_ fields: UploadFields, datastore: ServerDatastore, action: NachetAction) async throws -> Seed {
        let reference: SetMetadata.SeedReference
        if let text = fields.seedID {
            guard let id = UUID(uuidString: text) else {
                throw NachetAPIError.datastore(action, "Seed not found based on the given id: \(text)", code: .unknownSeed)
            }
            reference = .id(id)
        } else {
            reference = .name(fields.seedName ?? "")
        }
        var seeds = try await datastore.directory.seeds()
        if seeds.seed(reference) == nil { seeds = try await datastore.directory.seeds(lookingFor: true) }
        guard let seed = seeds.seed(reference) else {
            switch reference {
            case .id(let id):
                throw NachetAPIError.datastore(action, "Seed not found based on the given id: \(id.lowercased)", code: .unknownSeed)
            case .name(let name):
                throw NachetAPIError.datastore(
                    action, "Seed not found based on the given name: \(name) (GET /seeds lists them)", code: .unknownSeed)
            }
        }
        return seed
    }
}

/// Looks up the user a request names and checks the caller may act for it.
enum UserAccess {
    /// The user whose id is `text` (a `container_name`).
    ///
    /// A token acts for the users its grant names, compared by ``EmailKey``;
    /// when the catalogue holds another user whose e-mail has the same key
    /// (two spellings of one address, which Nachet's datastore allows), the
    /// grant cannot say which one it means, and the request is refused.
    ///
    /// - Throws: 400 when no user has that id, or when its e-mail is
    ///   ambiguous (`ambiguous-user`); 403 when the caller may not act for it.
    static func user(id text: String, caller: Caller, datastore: ServerDatastore, action: NachetAction) async throws -> CatalogueUser {
        guard let id = UUID(uuidString: text), let user = try await datastore.directory.user(id: id) else {
            throw NachetAPIError.datastore(action, "User not found based on the given id: \(text)", code: .unknownUser)
        }
        guard caller.mayActFor(email: user.email) else {
            throw NachetAPIError.forbidden(action, "this token may not act for the user \(text)")
        }
        if case .token = caller {
            // Throws ambiguous-user when another user shares the key.
            guard try await datastore.directory.user(email: user.email)?.id == user.id else {
                throw NachetAPIError.forbidden(action, "this token may not act for the user \(text)")
            }
        }
        return user
    }
}
