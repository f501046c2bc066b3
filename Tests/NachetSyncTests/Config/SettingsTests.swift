import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The configuration file: a systemd EnvironmentFile the agent reads itself.
@Suite("configuration file")
struct SettingsTests {
    private func load(_ text: String, environment: [String: String] = [:]) throws(ConfigurationError) -> Settings {
        let directory = TemporaryDirectory()
        let path = directory.appending("nachet-sync.env")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return try Settings.load(file: path, environment: environment)
    }

    @Test func linesCommentsQuotesAndExportAreRead() throws {
        let settings = try load(
            """
            # the lab's agent
            NACHET_SYNC_DROP_DIR="/srv/seed drop:/srv/camera-2"
            export NACHET_SYNC_STABILITY_WINDOW = 3
            ; an old-style comment
            NACHET_SYNC_STATUS_FILE='yes'
            PGSSLMODE=require

            """,
            environment: ["NACHET_SYNC_STABILITY_WINDOW": "9", "NACHET_SCHEMA": "nachet_0.1.0"]
        )

        #expect(settings["NACHET_SYNC_DROP_DIR"] == "/srv/seed drop:/srv/camera-2")
        #expect(try settings.seconds("NACHET_SYNC_STABILITY_WINDOW") == 3, "the file wins over the environment")
        #expect(try settings.flag("NACHET_SYNC_STATUS_FILE") == true)
        #expect(settings["NACHET_SCHEMA"] == "nachet_0.1.0", "the environment fills what the file leaves out")
        #expect(settings["PGSSLMODE"] == nil, "other variables are left to the environment")
    }

    @Test func aMisspeltSettingIsNamedWithItsLineAndTheSettingMeant() {
        #expect {
            try load("NACHET_SYNC_DROP_DIR=/srv/drop\nNACHET_SYNC_STABILTY_WINDOW=1\n")
        } throws: { error in
            let message = "\(error)"
            return message.contains("nachet-sync.env:2: NACHET_SYNC_STABILTY_WINDOW is not a nachet-sync setting")
                && message.contains("did you mean NACHET_SYNC_STABILITY_WINDOW")
        }
    }

    @Test func aLineThatIsNotAnAssignmentIsNamed() {
        #expect {
            try load("NACHET_DB_URL postgresql://x\n")
        } throws: { error in
            "\(error)".contains("nachet-sync.env:1: expected KEY=value") && !"\(error)".contains("postgresql://x")
        }
    }

    @Test func aValueOfTheWrongKindSaysWhatIsExpected() throws {
        let settings = try load("NACHET_SYNC_PARALLEL_UPLOADS=many\nNACHET_SYNC_STATUS_FILE=perhaps\n")
        #expect(throws: ConfigurationError.self) { try settings.count("NACHET_SYNC_PARALLEL_UPLOADS") }
        #expect {
            try settings.flag("NACHET_SYNC_STATUS_FILE")
        } throws: { error in
            "\(error)".contains("expected true or false")
        }
    }

    /// A file saved on Windows (Notepad: `\r\n`, often a byte order mark)
    /// reads as the same file saved on Linux: one setting a line, nothing
    /// swallowed by the first value.
    @Test(arguments: ["\r\n", "\r"], [false, true])
    func windowsLineEndsAndAByteOrderMarkAreRead(_ lineEnd: String, _ byteOrderMark: Bool) throws {
        let lines = [
            "# the lab's agent", "NACHET_SYNC_DROP_DIR=/srv/seed-drop", "NACHET_DB_URL=postgresql://nachet:S3cretPw@db/nachet",
            "", "NACHET_SYNC_STATUS_FILE=yes", "PGPASSWORD=S3cretPw",
        ]
        let settings = try load((byteOrderMark ? "\u{FEFF}" : "") + lines.joined(separator: lineEnd) + lineEnd)

        #expect(settings["NACHET_SYNC_DROP_DIR"] == "/srv/seed-drop")
        #expect(settings["NACHET_DB_URL"] == "postgresql://nachet:S3cretPw@db/nachet")
        #expect(try settings.flag("NACHET_SYNC_STATUS_FILE") == true)
        #expect(settings.fileLines["NACHET_SYNC_STATUS_FILE"] == 5)
        #expect(settings.secretSettingsInFile == ["NACHET_DB_URL", "PGPASSWORD"])
    }

    /// A line that is no setting, in a Windows file: named by its number,
    /// its words never shown (they may be a secret's).
    @Test func aBrokenLineOfAWindowsFileIsNamedByItsNumberWithoutItsValue() {
        #expect {
            try load("\u{FEFF}NACHET_SYNC_DROP_DIR=/srv/drop\r\nS3cretPw is the password\r\nNACHET_SYNC_STATUS_FILE=yes\r\n")
        } throws: { error in
            "\(error)".contains("nachet-sync.env:2: expected KEY=value") && !"\(error)".contains("S3cretPw")
        }
        #expect {
            try load("NACHET_SYNC_DROP_DIR=/srv/drop\r\n\r\nNACHET_SYNC_STATUS_FILES=yes\r\nPGPASSWORD=S3cretPw\r\n")
        } throws: { error in
            "\(error)".contains("nachet-sync.env:3: NACHET_SYNC_STATUS_FILES is not a nachet-sync setting") && !"\(error)".contains("S3cretPw")
        }
    }

    @Test func theShippedExampleFileIsValid() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("packaging/nachet-sync.env.example").path

        let settings = try Settings.load(file: example, environment: [:])

        #expect(settings["NACHET_SYNC_DROP_DIR"] == "/srv/seed-drop")
    }

    @Test func aMissingFileSaysSo() {
        #expect {
            try Settings.load(file: "/nonexistent/nachet-sync.env", environment: [:])
        } throws: { error in
            "\(error)".contains("/nonexistent/nachet-sync.env: cannot read the configuration file")
        }
    }
}
