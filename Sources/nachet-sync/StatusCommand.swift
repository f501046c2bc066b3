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
            it is cheap to run while the agent is working. The state file keeps records per \
            destination (catalogue and blob store): those of the configured one are shown, \
            with what the last datastore check of each set found.

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
            let parked: [DestinationIdentity]
            let live: DestinationIdentity?
            let settings = try options.settings()
            options.warnAboutExposedSecrets(settings, logger: options.makeLogger(settings))
            do {
                configuration = try options.configuration(settings)
                // Only looks: an agent running with another configuration
                // keeps its records where it reads them.
                let state = try SyncState(
                    directory: configuration.stateDirectory, destination: configuration.destination, takingRecords: false)
                live = state.liveDestination
                folders =
                    live == configuration.destination
                    ? try FolderStatus.all(
                        state: state, extensions: configuration.extensions,
                        followingSymlinks: configuration.followsSymlinks, readyMarker: configuration.readyMarker) : []
                parked = try state.parkedDestinations()
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
                if let live, live != configuration.destination {
                    print(
                        parked.contains(configuration.destination)
                            ? "The records of \(configuration.destination) are kept aside: the agent last ran with \(live). They are shown once it runs with this destination again."
                            : "No folder synced yet into \(configuration.destination); the agent last ran with \(live) (state directory \(configuration.stateDirectory))."
                    )
                } else {
                    print(
                        "No folder synced yet into \(configuration.destination) (state directory \(configuration.stateDirectory)). Run `nachet-sync sync DROP_DIR` first."
                    )
                }
                for destination in parked where destination != configuration.destination {
                    print("The state file also holds records for \(destination).")
                }
                return
            }
            for folder in folders {
                print("\(folder.path)")
                for line in folder.detailLines { print("  " + line) }
            }
        }
    }
}
