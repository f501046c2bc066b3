import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// A `--config` file saved on Windows (Notepad writes `\r\n` and often a
/// byte order mark), on the built executable: read as the same file saved
/// on Linux, where it was one line whose first value swallowed the rest,
/// secrets included, then printed in errors.
@Suite("a configuration file saved on Windows")
struct WindowsFilesTests {
    /// `lines` as Notepad saves them.
    static func windowsText(_ lines: [String]) -> String {
        "\u{FEFF}" + lines.map { $0 + "\r\n" }.joined()
    }

    @Test func aFileWithWindowsLineEndsAndAByteOrderMarkWorks() async throws {
        let setUp = try await OnePictureDropFolder(
            settings: { state, _ in ["# the lab's agent", "NACHET_SYNC_STATE_DIR=\(state)", "NACHET_SYNC_STATUS_FILE=yes", "PGPASSWORD=S3cretPw"] },
            lineEnd: "\r\n", byteOrderMark: true)

        let sync = try await CommandLineTests().run(["sync", "--config", setUp.config, setUp.drop.root])

        #expect(sync.status == 0, "\(sync.output) \(sync.errors)")
        #expect(sync.output.contains("1 picture uploaded"), "\(sync.output)")
        #expect(FileManager.default.fileExists(atPath: setUp.state + "/" + SyncState.fileName), "the state directory is the one named")
        #expect(FileManager.default.fileExists(atPath: setUp.drop.root + "/lot-1/" + StatusFileWriter.fileName), "status files are on")
        #expect(!(sync.output + sync.errors).contains("S3cretPw"))
    }

    @Test func aMistakeInAWindowsFileIsNamedByItsLineWithoutTheSecretsAfterIt() async throws {
        let directory = TemporaryDirectory()
        let config = directory.appending("nachet-sync.env")
        try Self.windowsText([
            "NACHET_SYNC_STATE_DIR=\(directory.appending("state"))", "NACHET_SYNC_STATUS_FILE=perhaps",
            "NACHET_DB_URL=postgresql://nachet:S3cretPw@127.0.0.1:1/nachet", "this line is S3cretB",
        ]).write(toFile: config, atomically: true, encoding: .utf8)

        let doctor = try await CommandLineTests().run(["doctor", "--config", config])
        let sync = try await CommandLineTests().run(["sync", "--config", config, directory.path])

        #expect(sync.status == 3, "\(sync.output) \(sync.errors)")
        #expect(doctor.status == 1, "doctor reports it as a finding: \(doctor.output) \(doctor.errors)")
        for result in [doctor, sync] {
            #expect((result.output + result.errors).contains("\(config):4: expected KEY=value"), "\(result.output) \(result.errors)")
            #expect(!(result.output + result.errors).contains("S3cret"), "\(result.output) \(result.errors)")
        }
    }
}
