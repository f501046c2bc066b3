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
            it is cheap to run while the agent is working.

            EXAMPLE
              nachet-sync status
              nachet-sync status --json | jq '.[] | select(.failed > 0)'
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON (a list of folders) instead of text.")
    var json = false

    func run() async throws {
        try await runAgent {
            let configuration: AgentConfiguration
            let folders: [FolderStatus]
            let settings = try options.settings()
            options.warnAboutExposedSecrets(settings, logger: options.makeLogger(settings))
            do {
                configuration = try options.configuration(settings)
                folders = try FolderStatus.all(
                    state: try SyncState(directory: configuration.stateDirectory), extensions: configuration.extensions,
                    followingSymlinks: configuration.followsSymlinks, readyMarker: configuration.readyMarker)
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(folders), as: UTF8.self))
                return
            }
            guard !folders.isEmpty else {
                print("No folder synced yet (state directory \(configuration.stateDirectory)). Run `nachet-sync sync DROP_DIR` first.")
                return
            }
            for folder in folders {
                print("\(folder.path)")
                for line in folder.detailLines { print("  " + line) }
            }
        }
    }
}
