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
            file is opened for reading only, and without one nothing is created. The \
            state file keeps records per destination (catalogue and blob store): those \
            of the configured one are shown, with what the last datastore check of each \
            set found.

            Each folder's status is one word, the same in the text and in --json: \
            waiting (for metadata.json or the ready marker), invalid (metadata.json has \
            mistakes), failed (its picture set cannot be prepared), errors (some images \
            failed, some entries cannot be taken, or the datastore lost what the folder \
            cannot restore), uploading, or done.

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
            let parked: [DestinationIdentity]
            let live: DestinationIdentity?
            let settings = try options.settings()
            options.warnAboutExposedSecrets(settings, logger: options.makeLogger(settings))
            do {
                configuration = try options.configuration(settings)
                // Only looks: nothing is created, and an agent running with
                // another configuration keeps its records where it reads them.
                if let state = try SyncState.readingOnly(directory: configuration.stateDirectory) {
                    // Records are kept under what a destination is; each
                    // is named by the address that last reached it.
                    let configured = try state.key(for: configuration.destination)
                    live = try state.liveDestination.map { try state.displayName(of: $0) }
                    parked = try state.parkedDestinations().map { try state.displayName(of: $0) }
                    folders =
                        state.liveDestination == nil || state.liveDestination == configured
                        ? try FolderStatus.all(
                            state: state, extensions: configuration.extensions,
                            followingSymlinks: configuration.followsSymlinks, readyMarker: configuration.readyMarker) : []
                } else {
                    (folders, parked, live) = (nil, [], nil)
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
                    print(folder.path.escapingControlCharacters)
                    for line in folder.detailLines { print("  " + line) }
                }
            } else if folders == nil {
                print(
                    "No state file in \(configuration.stateDirectory): nothing was synced with this state directory yet "
                        + "(give the agent's --state-dir or --config, or run `nachet-sync sync DROP_DIR` first).")
            } else {
                printNoFolders(configuration: configuration, live: live, parked: parked)
            }
            if folders?.contains(where: \.status.needsAttention) == true { throw AgentExit.someErrors }
        }
    }
}

extension StatusCommand {
    /// Says why no folder is shown: none synced yet into the configured
    /// destination, or its records kept aside while the agent runs with
    /// another one.
    private func printNoFolders(configuration: AgentConfiguration, live: DestinationIdentity?, parked: [DestinationIdentity]) {
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
    }
}
