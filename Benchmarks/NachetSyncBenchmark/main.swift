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
    var files = 2_000
    var quick = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick":
                quick = true
                pictures = 100
                files = 20
            case "--files":
                files = iterator.next().flatMap(Int.init) ?? files
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

/// A drop folder of `count` files of `size` random bytes in one set.
func makeDropFolder(in directory: TemporaryDirectory, count: Int, size: Int) throws -> String {
    let drop = DropFolderBuilder(root: directory.appending("drop"))
    try drop.makeSet("bench", metadata: DropFolderBuilder.metadata(email: "bench@lab.example"))
    for index in 0..<count {
        try drop.writeImage("img-\(index).tif", in: "bench", seed: UInt64(index), size: size)
    }
    return drop.root
}

/// One `sync` of `count` × `size` files into the given blob store; returns seconds.
func syncSeconds(blobs: BlobStoreKind, count: Int, size: Int) async throws -> (seconds: Double, uploaded: Int) {
    let directory = TemporaryDirectory()
    let drop = try makeDropFolder(in: directory, count: count, size: size)
    let catalogue = try SQLiteCatalogue(path: directory.appending("catalogue.sqlite"))
    var emulator: AzureEmulator?
    let store: any BlobStore
    switch blobs {
    case .local:
        store = try LocalBlobStore(root: directory.appending("blobs"))
    case .azure:
        let started = try await AzureEmulator.start()
        emulator = started
        store = AzureBlobStore(account: try AzureAccount(parsing: started.connectionString), logger: TestDatastore.quietLogger)
    }
    let engine = SyncEngine(
        catalogue: catalogue,
        blobStore: store,
        state: try SyncState(directory: directory.appending("state")),
        logger: TestDatastore.quietLogger
    )
    _ = try await engine.registerUser(email: "bench@lab.example")
    var uploaded = 0
    let seconds = try await measure {
        uploaded = try await engine.syncDropDirectory(drop, readiness: StabilityTracker(window: .zero)).uploaded
    }
    await emulator?.stop()
    return (seconds, uploaded)
}

/// `cp -r` of the same kind of tree: the disk's own limit.
func copySeconds(count: Int, size: Int) async throws -> Double {
    let directory = TemporaryDirectory()
    let drop = try makeDropFolder(in: directory, count: count, size: size)
    return try await measure {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cp")
        process.arguments = ["-r", drop, directory.appending("copy")]
        try process.run()
        process.waitUntilExit()
        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: "/bin/sync")
        try sync.run()
        sync.waitUntilExit()
    }
}

func line(_ name: String, _ figure: String) {
    print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + " " + figure)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
print("nachet-sync benchmark\(options.quick ? " (quick)" : ""): \(ProcessInfo.processInfo.activeProcessorCount) cores")
line("case", "figure")
for kind in CatalogueKind.allCases {
    let rate = try await catalogueRows(kind, count: options.pictures)
    line("catalogue rows, \(kind), \(options.pictures) pictures", String(format: "%.0f rows/s", rate))
}
let size = 2 << 20
let mebibytes = Double(options.files * size) / Double(1 << 20)
let copy = try await copySeconds(count: options.files, size: size)
line("cp -r + sync, \(options.files) × 2 MiB", String(format: "%.1f s, %.0f MiB/s", copy, mebibytes / copy))
for blobs in BlobStoreKind.allCases {
    let (seconds, uploaded) = try await syncSeconds(blobs: blobs, count: options.files, size: size)
    guard uploaded == options.files else {
        print("error: \(blobs) stored \(uploaded) of \(options.files) files")
        exit(1)
    }
    line(
        "sync → SQLite + \(blobs == .local ? "local folder" : "Azure emulator"), \(options.files) × 2 MiB",
        String(
            format: "%.1f s, %.0f MiB/s, %.0f files/s, %.2f× cp", seconds, mebibytes / seconds, Double(options.files) / seconds,
            copy / seconds)
    )
}
