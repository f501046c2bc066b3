import Foundation
import NachetSync
import NachetSyncTestSupport

/// Catalogue rows per second, one transaction per picture as the engine
/// writes them, into SQLite and into a local PostgreSQL server (started as
/// the tests start it, or the one `NACHET_TEST_DB_URL` names).
struct CatalogueCase {
    var kind: CatalogueKind
    var count: Int

    func run() async throws -> CaseResult {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(kind, in: directory).catalogue
        let (user, _) = try await catalogue.registerUser(email: BenchmarkData.email)
        let (set, _) = try await catalogue.findOrCreatePictureSet(
            NewPictureSet(ownerID: user.id, name: "bench", document: PictureSetDocument(createdBy: user.id))
        )
        let seed = try await catalogue.seeds()[0]
        let seconds = try await Seconds.measure {
            for index in 0..<count {
                let picture = NewPicture(
                    id: UUID(),
                    setID: set.id,
                    seedID: seed.id,
                    document: PictureDocument(
                        link: "file:///b", seedCount: 1, zoom: 1, description: "",
                        sha256: ContentHash(hex: String(format: "%064x", index))!,
                        fileName: "\(index).png")
                )
                _ = try await catalogue.insertPictureIfAbsent(picture)
            }
        }
        if let postgres = catalogue as? PostgresCatalogue { await postgres.close() }
        return CaseResult(
            name: "catalogue rows, \(kind), \(count) pictures, one transaction each",
            agent: Show.rate(Double(count) / seconds, "rows/s"),
            peer: "–",
            ratio: "–",
            goal: "–",
            met: nil,
            values: ["rows_per_second": Double(count) / seconds, "rows": Double(count)]
        )
    }
}
