import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync sync DROP_DIR`: one pass, then exit.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Upload what is new in the drop folder once, print a summary, and exit.",
        discussion: """
            Every subfolder with a metadata.json becomes a picture set (created on the first \
            run) and each of its images not yet stored is uploaded. Files stored before and \
            unchanged since (same size, time and inode) are not read again. Unless \
            --verify-every is 0, each set is first checked in the datastore: what it lost is \
            stored again from the files, and what cannot be is named with its fix.

            EXAMPLE
              nachet-sync user add tech@lab.example
              nachet-sync sync /srv/seed-drop

            Exit code 0 when every image is stored, 2 when some folders or files have \
            errors (each is named with its fix), 3 when the agent cannot run.
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup(title: "Through Nachet's batch-import API") var api: APIOptions

    @Argument(help: ArgumentHelp("The drop folder: one subfolder per picture set.", valueName: "drop-dir"))
    var dropDirectory: String

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let logger = options.makeLogger(settings)
            let (agent, drops) = try options.openAgent(settings, api: api, dropDirectories: [dropDirectory], logger: logger)
            let drop = drops[0]
            let report: SyncReport
            do {
                report = try await agent.engine.syncDropDirectory(
                    drop, readiness: StabilityTracker(window: .zero), verifying: agent.configuration.verifyInterval != nil)
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            print("nachet-sync: \(drop) → \(agent.destination.location)")
            print(report.summary)
            if report.errors > 0 { throw AgentExit.someErrors }
        }
    }
}
