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
            --verify-every is 0, each set not checked within that many hours (by this state \
            file) is first checked in the datastore: what it lost is stored again from the \
            files, and what cannot be is named with its fix.

            On a terminal, one line shows how far it has got (sets, files, MiB/s, time left); \
            otherwise a progress line is logged every 30 s. Each file's outcome is logged at \
            --log-level debug.

            A catalogue or blob store that cannot be reached is said at once and retried \
            for --give-up-after seconds (default 60), then the sync stops with exit code 3.

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
            let line = TerminalLine.isAvailable ? TerminalLine() : nil
            let logger = options.makeLogger(settings, keeping: line)
            let (agent, drops) = try options.openAgent(settings, api: api, dropDirectories: [dropDirectory], logger: logger)
            let drop = drops[0]
            let progress = SyncProgress()
            let display = ProgressDisplay(
                progress: progress, mode: line.map { .terminal($0) } ?? .summary(every: ProgressDisplay.summaryPeriod(), logger))
            let showing = Task { await display.run() }
            // The totals of the live line: a listing of every set folder
            // (stat only), beside the sync; until it is done the line shows
            // no total and no time left.
            let census = Task {
                guard line != nil else { return }
                let census = await DropFolderCensus.take(
                    drop, extensions: agent.configuration.extensions, followingSymlinks: agent.configuration.followsSymlinks)
                progress.counted(files: census.files, bytes: census.bytes)
            }
            /// Stops the display, the live line cleared, before anything else is printed.
            func stopShowing() async {
                census.cancel()
                showing.cancel()
                await showing.value
            }
            let report: SyncReport
            do {
                report = try await agent.engine.syncDropDirectory(
                    drop, readiness: StabilityTracker(window: .zero), verifying: agent.configuration.verifyInterval.map(DatastoreChecking.notCheckedWithin) ?? .never,
                    observer: progress)
            } catch {
                await stopShowing()
                throw AgentExit.cannotRun("\(error)")
            }
            await stopShowing()
            print("nachet-sync: \(drop) → \(agent.destination.location)")
            print(report.summary)
            if report.errors > 0 { throw AgentExit.someErrors }
        }
    }
}
