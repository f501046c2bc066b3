import Foundation
import Hummingbird
import NIOCore
import NachetSync
import NachetSyncTestSupport
import ServiceLifecycle
import Synchronization

@testable import NachetSyncServer

/// Nachet's own backend as `shared/nachet-contract.md` ("The backend's HTTP
/// routes, exactly") describes it, in memory, on 127.0.0.1: no token, no
/// `sha256`, no raw route, `[true]` for an upload, "Folder already exists"
/// for a second set of one name, every picture sent stored (duplicates
/// too), and `GET /health` answering the text `ok`. What a client of the
/// legacy contract is tested against.
final class LegacyNachetServer: Sendable {
    struct Picture: Sendable {
        var id: UUID
        var setID: UUID
        var seedID: UUID
        var sha256: String
    }

    private struct PictureSet: Sendable {
        var id: UUID
        var owner: UUID
        var name: String?
        var pictures: [UUID] = []
    }

    private struct Model: Sendable {
        var users: [String: UUID] = [:]
        var seeds: [(id: UUID, name: String)] = DefaultSeeds.names.map { (UUID(), $0) }
        var sets: [UUID: PictureSet] = [:]
        var pictures: [Picture] = []
        var requests: [String: Int] = [:]
    }

    private let model = Mutex(Model())
    private let running = Mutex<RunningServer?>(nil)
    /// The port it listens on, once started.
    var port: Int { running.withLock { $0?.port ?? 0 } }

    /// Its base URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Every picture stored.
    var pictures: [Picture] { model.withLock { $0.pictures } }
    /// Requests to `route` so far.
    func requests(_ route: String) -> Int { model.withLock { $0.requests[route] ?? 0 } }
    /// The number of picture sets.
    var setCount: Int { model.withLock { $0.sets.count } }

    /// Registers a user with its `General` set; returns its id.
    @discardableResult
    func registerUser(_ email: String) -> UUID {
        model.withLock { model in
            let id = UUID()
            model.users[email.lowercased()] = id
            let general = UUID()
            model.sets[general] = PictureSet(id: general, owner: id, name: "General")
            return id
        }
    }

    /// Starts listening on a free port of 127.0.0.1.
    func start() async throws {
        let router = Router()
        router.post("/get-user-id") { request, _ in try await self.userID(request) }
        router.get("/seeds") { _, _ in self.seeds() }
        router.post("/new-batch-import") { request, _ in try await self.newBatchImport(request) }
        router.post("/upload-picture") { request, _ in try await self.uploadPicture(request) }
        router.post("/get-directories") { request, _ in try await self.directories(request) }
        router.get("/health") { _, _ in self.count("/health"); return "ok" }
        let listening = ListeningAnnouncement()
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listening.announce(channel.localAddress) },
            logger: TestDatastore.quietLogger
        )
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [application], logger: TestDatastore.quietLogger))
        let task = Task { try await group.run() }
        let address = try await listening.wait(orFailureOf: task)
        running.withLock { $0 = RunningServer(group: group, task: task, port: address?.port ?? 0, scheme: "http") }
    }

    func stop() async throws {
        try await running.withLock { $0 }?.stop()
    }

    // MARK: - Routes, as app.py answers them

    private func count(_ route: String) {
        model.withLock { $0.requests[route, default: 0] += 1 }
    }

    private func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 32 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
    }

    private func refusal(_ message: String) -> Response {
        JSONResponse.make([message], status: .badRequest)
    }

    private func userID(_ request: Request) async throws -> Response {
        count("/get-user-id")
        let email = try await body(request)["email"] as? String ?? ""
        guard let id = model.withLock({ $0.users[email.lowercased()] }) else {
            return refusal("Datastore Error retrieving user id for email \(email) : User not found")
        }
        return JSONResponse.make(["user_id": id.lowercased])
    }

    private func seeds() -> Response {
        count("/seeds")
        let seeds = model.withLock { $0.seeds }
        return JSONResponse.make(
            NachetWire.SeedsAnswer(seeds: seeds.map { .init(seed_id: $0.id.lowercased, seed_name: $0.name) }))
    }

    private func newBatchImport(_ request: Request) async throws -> Response {
        count("/new-batch-import")
        let fields = try await body(request)
        guard let container = fields["container_name"] as? String, let owner = UUID(uuidString: container),
            let number = fields["nb_pictures"] as? Int, number > 0
        else {
            return refusal("API Error initiating batch upload : wrong request arguments: either container_name or nb_pictures is wrong")
        }
        let name = (fields["folder_name"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return model.withLock { model in
            guard model.users.values.contains(owner) else {
                return refusal("Datastore Error initiating batch upload : User not found based on the given id: \(container)")
            }
            if let name, model.sets.values.contains(where: { $0.owner == owner && $0.name == name }) {
                return refusal("Datastore Error initiating batch upload : Folder already exists")
            }
            let id = UUID()
            model.sets[id] = PictureSet(id: id, owner: owner, name: name)
            return JSONResponse.make(["session_id": id.lowercased])
        }
    }

    private func uploadPicture(_ request: Request) async throws -> Response {
        count("/upload-picture")
        let fields = try await body(request)
        guard let session = (fields["session_id"] as? String).flatMap(UUID.init(uuidString:)),
            let image = fields["image"] as? String, let comma = image.firstIndex(of: ","),
            let bytes = Data(base64Encoded: String(image[image.index(after: comma)...]))
        else {
            return refusal("API Error uploading picture : missing request arguments: either seed_name, session_id, container_name or image is missing")
        }
        let seedID = (fields["seed_id"] as? String).flatMap(UUID.init(uuidString:))
        return model.withLock { model in
            guard model.sets[session] != nil else {
                return refusal("Datastore Error uploading picture : Picture set not found based on the given id: \(session.lowercased)")
            }
            guard let seed = model.seeds.first(where: { $0.id == seedID }) else {
                return refusal("Datastore Error uploading picture : Seed not found based on the given id: \(seedID?.lowercased ?? "None")")
            }
            let picture = Picture(id: UUID(), setID: session, seedID: seed.id, sha256: SHA256Digest.hash(bytes).hex)
            model.pictures.append(picture)
            model.sets[session]?.pictures.append(picture.id)
            return JSONResponse.make([true])
        }
    }

    private func directories(_ request: Request) async throws -> Response {
        count("/get-directories")
        guard let owner = (try await body(request)["container_name"] as? String).flatMap(UUID.init(uuidString:)) else {
            return refusal("API Error retrieving user directories : Missing container name")
        }
        let folders = model.withLock { model in
            model.sets.values.filter { $0.owner == owner }.sorted { ($0.name ?? "") < ($1.name ?? "") }.map { set in
                NachetWire.DirectoriesAnswer.Folder(
                    picture_set_id: set.id.lowercased, folder_name: set.name, nb_pictures: set.pictures.count,
                    pictures: set.pictures.map { .init(picture_id: $0.lowercased, is_validated: true, inference_exist: false) })
            }
        }
        return JSONResponse.make(NachetWire.DirectoriesAnswer(folders: folders))
    }
}
