import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The embedded catalogue's files.
@Suite("embedded catalogue")
struct SQLiteCatalogueTests {
    @Test func theCatalogueAndItsWALAndSharedMemoryAre0600() async throws {
        let directory = TemporaryDirectory()
        let catalogue = try SQLiteCatalogue(path: directory.appending("catalogue.sqlite"))
        _ = try await catalogue.registerUser(email: "tech@lab.example")

        let modes = FileModes.everything(under: directory.path)

        #expect(Set(modes.keys) == ["catalogue.sqlite", "catalogue.sqlite-wal", "catalogue.sqlite-shm"])
        #expect(modes.values.allSatisfy { $0 == 0o600 }, "\(modes)")
    }
}
