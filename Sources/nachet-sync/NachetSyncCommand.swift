import ArgumentParser
import Foundation
import NachetSync
import Glibc

/// `nachet-sync`: uploads seed images from a drop folder into Nachet.
@main
struct NachetSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nachet-sync",
        abstract: "Upload seed images from a drop folder into the Nachet datastore, each image exactly once.",
        discussion: """
            Each subfolder of the drop folder is one Nachet picture set, described by a \
            metadata.json file in it; every image in it becomes a picture. Images are \
            identified by their SHA-256, so the same bytes are stored once per set however \
            often they are copied or the agent is restarted.

            Without --catalogue or --blob-store (and without NACHET_DB_URL or \
            NACHET_STORAGE_URL), rows go to an SQLite catalogue and bytes to a blobs/ folder, \
            both in the state directory: no server is needed.

            EXIT CODES
              0   every image of every set folder is stored (folders without metadata.json wait)
              2   some folders or files have errors; the rest was uploaded (see the messages)
              3   the agent could not run: configuration, state directory, catalogue or blob store
              64  the command line is wrong
            """,
        version: NachetSyncVersion.current,
        subcommands: [
            SyncCommand.self, WatchCommand.self, ServeCommand.self, StatusCommand.self, DoctorCommand.self, SeedsCommand.self, UserCommand.self, DatabaseCommand.self,
        ]
    )

    /// Runs the command asked for, with SIGPIPE ignored: when whatever reads
    /// the agent's output goes away (a pipe into `head` or `tee`, a log
    /// shipper that dies), the lines are lost but the uploads go on, and
    /// the exit code still says how they went.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
