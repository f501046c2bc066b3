import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/get-user-id` and `/seeds`: Nachet's bodies, statuses and messages.
@Suite("serve: /get-user-id and /seeds")
struct UserAndSeedsRouteTests {
    @Test(arguments: ServerHarness.backends)
    func getUserIDAnswersTheUsersIDAndNamesEveryRefusal(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let found = try await harness.post("/get-user-id", ["email": "Tech@Lab.example"])
            #expect(found.status == 200)
            #expect(found.json as? [String: String] == ["user_id": harness.userID])

            let unknown = try await harness.post("/get-user-id", ["email": ServerHarness.unregistered])
            #expect(unknown.status == 400)
            #expect(unknown.message == "Datastore Error retrieving user id for email nobody@lab.example : User not found")
            #expect(unknown.errorCode == "unknown-user")

            let missing = try await harness.post("/get-user-id", [:])
            #expect(missing.status == 400)
            #expect(missing.message == "API Error retrieving user id for email None : Missing email")

            let notJSON = try await harness.send(.POST, "/get-user-id", body: Data("email=x".utf8))
            #expect(notJSON.status == 400)
            #expect(notJSON.message?.hasPrefix("API Error retrieving user id for email None : ") == true)

            // A registered user the token may not act for: 403, whether or not it exists.
            _ = try await harness.registerUser("other@lab.example")
            let foreign = try await harness.post("/get-user-id", ["email": "other@lab.example"])
            #expect(foreign.status == 403)
            #expect(
                foreign.message == "API Error retrieving user id for email other@lab.example : this token may not act for other@lab.example"
            )
            #expect(foreign.errorCode == "forbidden")
        }
    }

    @Test(arguments: ServerHarness.backends)
    func seedsListsTheCatalogue(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let answer = try await harness.send(.GET, "/seeds")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type") == "application/json")
            let seeds = try #require((answer.json as? [String: Any])?["seeds"] as? [[String: String]])
            #expect(Set(seeds.compactMap { $0["seed_name"] }) == Set(DefaultSeeds.names))
            let catalogue = try await harness.datastore.catalogue.seeds()
            #expect(Set(seeds.compactMap { $0["seed_id"] }) == Set(catalogue.map(\.id.lowercased)))
            #expect(seeds.allSatisfy { Set($0.keys) == ["seed_id", "seed_name"] })
        }
    }
}
