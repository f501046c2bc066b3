import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync status`: where each folder stands.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show, per set folder, its picture set, images done / pending / failed, and the last error.",
        discussion: """
            Reads the state file and lists each folder (stat only: no image is read), so \
            it is cheap to run while the agent is working. It writes nothing: the state \
            file is opened for reading only, and without one nothing is created.

            Each folder's status is one word, the same in the text and in --json: \
            waiting (for metadata.json or the ready marker), invalid (metadata.json has \
            mistakes), failed (its picture set cannot be prepared), errors (some images \
            failed or some entries cannot be taken), uploading, or done.

            Exit code 0 when no folder needs attention, 2 when some folder is invalid, \
            failed or has errors (each is listed with its fix), 3 when the state file \
            cannot be read.

            EXAMPLE
              nachet-sync status
              nachet-sync status --json | jq '.[] | select(.status != "done")'
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON (a list of folders) instead of text.")
    var json = false

    func run() async throws {
        try await runAgent {
            let configuration: AgentConfiguration
            let folders: [FolderStatus]?
            let settings = try options.settings()
            options.warnAboutExposedSecrets(settings, logger: options.makeLogger(settings))
            do {
                configuration = try options.configuration(settings)
                folders = try SyncState.readingOnly(directory: configuration.stateDirectory).map { state in
                    try FolderStatus.all(
                        state: state, extensions: configuration.extensions, followingSymlinks: configuration.followsSymlinks,
                        readyMarker: configuration.readyMarker)
                }
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(folders ?? []), as: UTF8.self))
            } else if let folders, !folders.isEmpty {
                for folder in folders {
                    print("\(folder.path)")
                    for line in folder.detailLines { print("  " + line) }
                }
            } else if folders == nil {
                print(
                    "No state file in \(configuration.stateDirectory): nothing was synced with this state directory yet "
                        + "(give the agent's --state-dir or --config, or run `nachet-sync sync DROP_DIR` first).")
            } else {
                print("No folder synced yet (state directory \(configuration.stateDirectory)). Run `nachet-sync sync DROP_DIR` first.")
            }
            if folders?.contains(where: \.status.needsAttention) == true { throw AgentExit.someErrors }
        }
    }
}
