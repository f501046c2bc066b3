import Foundation

/// `nachet-sync doctor`'s checks of what the agent needs, each quick and
/// bounded in time: the drop folders, the state directory, the catalogue
/// (connection, schema, tables, rights tried for real), the blob store
/// (credentials, rights, clock) and the inotify limits.
package enum Doctor {
    /// How long one network check may wait for an answer.
    package static let checkTime = Duration.seconds(5)

    /// Runs every check on `configuration` and the drop folders; the
    /// catalogue and blob store checks run at the same time.
    package static func check(configuration: AgentConfiguration, dropDirectories: [String]) async -> [DoctorFinding] {
        async let catalogue = CatalogueCheck.run(configuration.catalogue, schema: configuration.schema, limit: checkTime * 2)
        async let blobStore = BlobStoreCheck.run(configuration.blobStore, limit: checkTime)
        var findings: [DoctorFinding] = []
        if dropDirectories.isEmpty {
            findings.append(
                .fail("drop folders", "none given: name them (`nachet-sync doctor /srv/seed-drop`) or set \(Setting.dropDirectories.variable), as `watch` needs"))
        }
        for drop in dropDirectories {
            do {
                try configuration.checkDropDirectory(drop)
                findings.append(FolderAccessCheck.dropFolder(drop, needsWriting: configuration.writesStatusFiles))
            } catch {
                findings.append(.fail("drop folder \(drop)", "\(error)"))
            }
        }
        do {
            try AgentConfiguration.checkDropDirectoriesApart(dropDirectories)
        } catch {
            findings.append(.fail("drop folders", "\(error)"))
        }
        findings.append(FolderAccessCheck.stateDirectory(configuration.stateDirectory))
        findings += await catalogue
        findings += await blobStore
        findings.append(
            InotifyCheck.run(
                dropDirectories: dropDirectories, extensions: configuration.extensions, followingSymlinks: configuration.followsSymlinks))
        return findings
    }
}
