import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The datastore check as an administrator meets it: in `sync`'s summary
/// and exit code, in `status` and the status file, and the state file's
/// records per destination.
extension CommandLineTests {
    @Test func syncRepairsWhatTheFilesCanAndExits2NamingTheRest() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("a.png", in: "lot-1", seed: 1)
        try drop.writeImage("b.png", in: "lot-1", seed: 2)
        _ = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        // Not checked: the next run's check is the set's first.
        let first = try await run(["sync", "--state-dir", state, "--verify-every", "0", drop.root])
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        // Someone empties the set's blob folder, and a.png leaves the drop folder.
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: state + "/blobs")
            .filter { $0.hasPrefix("user-") && $0.contains("/lot-1/") && !$0.hasSuffix(".json") }
        #expect(blobs.count == 2)
        for blob in blobs { try FileManager.default.removeItem(atPath: state + "/blobs/" + blob) }
        try FileManager.default.removeItem(atPath: drop.root + "/lot-1/a.png")

        let sync = try await run(["sync", "--state-dir", state, "--status-file", drop.root])

        #expect(sync.status == 2, "\(sync.output)\(sync.errors)")
        #expect(sync.output.contains("    repaired: the blob of b.png's picture was missing; written again from the file"), "\(sync.output)")
        #expect(sync.output.contains("    datastore: a.png was stored as picture "), "\(sync.output)")
        #expect(sync.output.contains("put the file back"))
        #expect(sync.output.contains("1 set repaired by the datastore check"))
        #expect(sync.errors.contains("datastore check: repaired"), "logged as a warning too: \(sync.errors)")
        let statusFile = try String(contentsOfFile: drop.root + "/lot-1/" + StatusFileWriter.fileName, encoding: .utf8)
        #expect(statusFile.contains("datastore: a.png was stored as picture "), "\(statusFile)")

        let status = try await run(["status", "--state-dir", state])
        #expect(status.output.contains("datastore: a.png was stored as picture "), "\(status.output)")
        let json = try await run(["status", "--state-dir", state, "--json"])
        let folders = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect((folders?.first?["datastore_problems"] as? [String])?.count == 1)

        // Checked minutes ago: not checked again, but what it found is still said.
        let again = try await run(["sync", "--state-dir", state, drop.root], environment: ["NACHET_SYNC_VERIFY_EVERY": "24"])
        #expect(again.status == 2, "still missing, said again: \(again.output)")
        #expect(again.output.contains("    datastore: a.png was stored as picture "), "\(again.output)")
        #expect(!again.output.contains("repaired"), "\(again.output)")
    }

    @Test func switchingTheBlobStoreStoresEveryPictureThereAndStatusFollowsTheDestination() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("a.png", in: "lot-1", seed: 1)
        _ = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        #expect(try await run(["sync", "--state-dir", state, drop.root]).status == 0)
        let newBlobs = directory.appending("new-blobs")

        let sync = try await run(["sync", "--state-dir", state, "--blob-store", newBlobs, drop.root])

        #expect(sync.status == 0, "\(sync.output)\(sync.errors)")
        #expect(sync.output.contains("1 skipped as already there (0 without reading)"), "read again, its blob written: \(sync.output)")
        #expect(sync.errors.contains("another catalogue or blob store than last time"), "\(sync.errors)")
        let stored = try FileManager.default.subpathsOfDirectory(atPath: newBlobs).filter { $0.contains("/lot-1/") && !$0.hasSuffix(".json") }
        #expect(stored.count == 1)
        let other = try await run(["status", "--state-dir", state, "--blob-store", directory.appending("third-blobs")])
        #expect(other.output.contains("No folder synced yet into sqlite:\(state)/catalogue.sqlite → local:"), "\(other.output)")
        #expect(other.output.contains("the agent last ran with sqlite:\(state)/catalogue.sqlite → local:\(newBlobs)"))
        #expect(other.output.contains("The state file also holds records for sqlite:\(state)/catalogue.sqlite → local:\(state)/blobs."))
        let parked = try await run(["status", "--state-dir", state])
        #expect(parked.output.contains("are kept aside: the agent last ran with"), "\(parked.output)")
        let live = try await run(["status", "--state-dir", state, "--blob-store", newBlobs])
        #expect(live.output.contains("images: 1 done"), "status moved no record: \(live.output)")
        let back = try await run(["sync", "--state-dir", state, drop.root])
        #expect(back.output.contains("1 skipped as already there (1 without reading)"), "the old records are back: \(back.output)")
    }
}
