import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// One identity rule for users (``EmailKey``): the catalogue, the tokens
/// file and `/get-user-id` compare e-mails alike, and a catalogue holding
/// two spellings of one address (Nachet's datastore compares e-mails
/// exactly) gets no request acted on for either.
@Suite("serve: one identity rule for users")
struct UserIdentityTests {
    /// Registers `email` as Nachet's own datastore would, beside the users
    /// nachet-sync registered: a row, no questions asked.
    private func insertUserAsNachetWould(_ email: String, in harness: ServerHarness) async throws -> String {
        let id = UUID().uuidString.lowercased()
        _ = try await harness.datastore.sql("INSERT INTO users (id, email) VALUES ('\(id)', '\(email)')")
        return id
    }

    /// The case: `Éve@…` and `éve@…` are two users, and a token
    /// granted `Éve@…` alone created sets in, listed and read `éve@…`'s
    /// container (the tokens folded Unicode case, the catalogue ASCII only).
    @Test(arguments: ServerHarness.backends)
    func aTokenNeverActsForAUserWhoseEMailIsAmbiguous(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let upper = try await harness.registerUser("\u{C9}ve@lab.example")
            let lower = try await insertUserAsNachetWould("\u{E9}ve@lab.example", in: harness)
            let token = try harness.addToken(name: "eve-pc", users: ["\u{C9}ve@lab.example"])
            let sets = try await harness.datastore.rowCount("picture_set")

            for container in [lower, upper.id.lowercased] {
                let created = try await harness.post(
                    "/new-batch-import", ["container_name": container, "nb_pictures": 1, "folder_name": "lot-1"], credentials: .bearer(token))
                #expect(created.status == 400, "\(created.text)")
                #expect(created.errorCode == "ambiguous-user")
                let message = try #require(created.message)
                #expect(message.contains("names 2 users of the catalogue"), "\(message)")
                #expect(message.contains("\"\u{C9}ve@lab.example\" (user \(upper.id.lowercased))") && message.contains("(user \(lower))"))
                let listed = try await harness.post("/get-directories", ["container_name": container], credentials: .bearer(token))
                #expect(listed.status == 400 && listed.errorCode == "ambiguous-user", "\(listed.text)")
            }
            for email in ["\u{E9}ve@lab.example", "\u{C9}ve@lab.example", "E\u{301}VE@LAB.EXAMPLE"] {
                let asked = try await harness.post("/get-user-id", ["email": email], credentials: .bearer(token))
                #expect(asked.status == 400 && asked.errorCode == "ambiguous-user", "\(email): \(asked.text)")
            }
            #expect(try await harness.datastore.rowCount("picture_set") == sets, "no set made for either")
        }
    }

    /// With one user of that address, every spelling of it (case, composed
    /// or decomposed) is that user, for the catalogue and the token alike.
    @Test(arguments: ServerHarness.backends)
    func everySpellingOfAnAddressIsItsOneUser(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let eve = try await harness.registerUser("\u{C9}ve@lab.example")
            let token = try harness.addToken(name: "eve-pc", users: ["E\u{301}VE@lab.example"])

            for email in ["\u{E9}ve@lab.example", "\u{C9}VE@LAB.EXAMPLE", "e\u{301}ve@lab.example"] {
                let asked = try await harness.post("/get-user-id", ["email": email], credentials: .bearer(token))
                #expect(asked.status == 200, "\(email): \(asked.text)")
                #expect((asked.json as? [String: String])?["user_id"] == eve.id.lowercased)
            }
            let created = try await harness.post(
                "/new-batch-import", ["container_name": eve.id.lowercased, "nb_pictures": 1, "folder_name": "lot-1"], credentials: .bearer(token))
            #expect(created.status == 200, "\(created.text)")
            // Another user is still another user.
            let other = try await harness.post("/get-user-id", ["email": TestDatastore.technician], credentials: .bearer(token))
            #expect(other.status == 403)
        }
    }
}
