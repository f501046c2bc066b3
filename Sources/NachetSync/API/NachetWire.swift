import Foundation

/// The names Nachet's batch-import API and `nachet-sync serve`'s extensions
/// put on the wire, shared by the server and the agent's client
/// (``APIDestination``) so the two cannot drift apart.
package enum NachetWire {
    /// Header names (extensions of `serve`; Nachet's backend sends none).
    package enum Header {
        /// The stable code of a refusal (``NachetWire/ErrorCode``).
        package static let error = "X-Nachet-Error"
        /// The picture an upload stored or found.
        package static let pictureID = "X-Nachet-Picture-Id"
        /// `true` when an upload stored a new picture, `false` when the set held those bytes.
        package static let pictureCreated = "X-Nachet-Picture-Created"
        /// `true` when `/new-batch-import` made the set, `false` when the user had it.
        package static let sessionCreated = "X-Nachet-Session-Created"
        /// The SHA-256 of a raw upload's body, in hexadecimal.
        package static let contentSHA256 = "X-Content-SHA256"
    }

    /// Stable names of what went wrong (the `X-Nachet-Error` header), so a
    /// client tells a mistake in its request from a datastore that may
    /// answer later without parsing the message.
    package struct ErrorCode: Hashable, Sendable, CustomStringConvertible {
        package let name: String

        package init(name: String) {
            self.name = name
        }

        /// A field is missing or has the wrong type or value.
        package static let badRequest = ErrorCode(name: "bad-request")
        /// The body is larger than the route takes.
        package static let tooLarge = ErrorCode(name: "too-large")
        /// No user has that e-mail or id.
        package static let unknownUser = ErrorCode(name: "unknown-user")
        /// The catalogue holds several users whose e-mails are one under
        /// nachet-sync's identity rule (``EmailKey``): it acts for none of them.
        package static let ambiguousUser = ErrorCode(name: "ambiguous-user")
        /// No seed has that id or name.
        package static let unknownSeed = ErrorCode(name: "unknown-seed")
        /// No picture set (session) has that id.
        package static let unknownSession = ErrorCode(name: "unknown-session")
        /// No picture has that id, or the user does not own it.
        package static let unknownPicture = ErrorCode(name: "unknown-picture")
        /// The bytes are no image of a format stored (JPEG, PNG, GIF, TIFF,
        /// BMP, WebP), or an unfinished one (``ImageContent``).
        package static let notAnImage = ErrorCode(name: "not-an-image")
        /// The bytes do not hash to the SHA-256 the request gives.
        package static let sha256Mismatch = ErrorCode(name: "sha256-mismatch")
        /// No valid bearer token.
        package static let unauthorized = ErrorCode(name: "unauthorized")
        /// The token may not act for that user, or the session is another user's.
        package static let forbidden = ErrorCode(name: "forbidden")
        /// The catalogue or blob store could not be reached; the same request may work later.
        package static let datastoreUnavailable = ErrorCode(name: "datastore-unavailable")
        /// The catalogue or blob store refused or failed.
        package static let datastoreFailed = ErrorCode(name: "datastore-failed")

        package var description: String { name }
    }

    /// `POST /get-user-id`'s answer.
    package struct UserIDAnswer: Codable, Sendable {
        package var user_id: String

        package init(user_id: String) {
            self.user_id = user_id
        }
    }

    /// `GET /seeds`'s answer.
    package struct SeedsAnswer: Codable, Sendable {
        package struct Entry: Codable, Sendable {
            package var seed_id: String
            package var seed_name: String

            package init(seed_id: String, seed_name: String) {
                self.seed_id = seed_id
                self.seed_name = seed_name
            }
        }
        package var seeds: [Entry]

        package init(seeds: [Entry]) {
            self.seeds = seeds
        }
    }

    /// `POST /new-batch-import`'s answer.
    package struct SessionAnswer: Codable, Sendable {
        package var session_id: String

        package init(session_id: String) {
            self.session_id = session_id
        }
    }

    /// `POST /upload-picture-raw`'s answer (an extension).
    package struct RawUploadAnswer: Codable, Sendable {
        package var picture_id: String
        package var created: Bool

        package init(picture_id: String, created: Bool) {
            self.picture_id = picture_id
            self.created = created
        }
    }

    /// `GET /health`'s answer (`serve`'s; Nachet's backend answers the text `ok`).
    package struct HealthAnswer: Codable, Sendable {
        package var status: String
        package var catalogue: String
        package var blob_store: String

        package init(status: String, catalogue: String, blob_store: String) {
            self.status = status
            self.catalogue = catalogue
            self.blob_store = blob_store
        }
    }

    /// `POST /get-directories`'s answer: the user's picture sets.
    package struct DirectoriesAnswer: Codable, Sendable {
        package struct Folder: Codable, Sendable {
            package var picture_set_id: String
            package var folder_name: String?
            package var nb_pictures: Int
            package var pictures: [Picture]

            package init(picture_set_id: String, folder_name: String?, nb_pictures: Int, pictures: [Picture]) {
                self.picture_set_id = picture_set_id
                self.folder_name = folder_name
                self.nb_pictures = nb_pictures
                self.pictures = pictures
            }

            // `folder_name` is written as null for a set without a name.
            package func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(picture_set_id, forKey: .picture_set_id)
                try container.encode(folder_name, forKey: .folder_name)
                try container.encode(nb_pictures, forKey: .nb_pictures)
                try container.encode(pictures, forKey: .pictures)
            }

            private enum CodingKeys: String, CodingKey {
                case picture_set_id, folder_name, nb_pictures, pictures
            }
        }

        package struct Picture: Codable, Sendable {
            package var picture_id: String
            package var is_validated: Bool
            package var inference_exist: Bool

            package init(picture_id: String, is_validated: Bool, inference_exist: Bool) {
                self.picture_id = picture_id
                self.is_validated = is_validated
                self.inference_exist = inference_exist
            }
        }

        package var folders: [Folder]

        package init(folders: [Folder]) {
            self.folders = folders
        }
    }
}
