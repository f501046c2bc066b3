import Foundation
import NachetSync
import NachetSyncTestSupport

// nachet-sync's benchmark harness. Run with:
//   swift run -c release nachet-sync-benchmark [--quick] [--pictures N]
//
// It makes its own data in a temporary directory, starts its own PostgreSQL
// server (as the tests do, or uses NACHET_TEST_DB_URL), and prints one line
// per case with absolute figures.

struct Options {
    var pictures = 2_000
    var quick = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick":
                quick = true
                pictures = 100
            case "--pictures":
                pictures = iterator.next().flatMap(Int.init) ?? pictures
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(64)
            }
        }
    }
}

/// Seconds taken by `body`.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Inserts `count` pictures into one set, one transaction each, as the engine does.
func catalogueRows(_ kind: CatalogueKind, count: Int) async throws -> Double {
    let directory = TemporaryDirectory()
    let catalogue = try await TestDatastore.makeCatalogue(kind, in: directory).catalogue
    let (user, _) = try await catalogue.registerUser(email: "bench@lab.example")
    let (set, _) = try await catalogue.findOrCreatePictureSet(
        NewPictureSet(ownerID: user.id, name: "bench", document: PictureSetDocument(createdBy: user.id))
    )
    let seed = try await catalogue.seeds()[0]
    let seconds = try await measure {
        for index in 0..<count {
            let hash = ContentHash(hex: String(format: "%064x", index))!
            let picture = NewPicture(
                id: UUID(),
                setID: set.id,
                seedID: seed.id,
                document: PictureDocument(link: "file:///b", seedCount: 1, zoom: 1, description: "", sha256: hash, fileName: "\(index).png")
            )
            _ = try await catalogue.insertPictureIfAbsent(picture)
        }
    }
    if let postgres = catalogue as? PostgresCatalogue { await postgres.close() }
    return Double(count) / seconds
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
print("nachet-sync benchmark\(options.quick ? " (quick)" : ""): \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("case                                   figure")
for kind in CatalogueKind.allCases {
    let rate = try await catalogueRows(kind, count: options.pictures)
    print(
        "catalogue rows, \(kind), \(options.pictures) pictures".padding(toLength: 39, withPad: " ", startingAt: 0)
            + String(format: "%.0f rows/s", rate))
}
