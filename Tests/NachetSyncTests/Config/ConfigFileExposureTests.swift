import Foundation
import Glibc
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// A configuration file holding a secret that other users may read is said.
@Suite("configuration file exposure")
struct ConfigFileExposureTests {
    private func file(_ text: String, mode: mode_t, in directory: TemporaryDirectory) -> String {
        let path = directory.appending("nachet-sync.env")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        chmod(path, mode)
        return path
    }

    @Test(arguments: [
        ("NACHET_DB_URL=postgresql://nachet:S3cret@db/nachet", "NACHET_DB_URL"),
        ("NACHET_DB_URL='host=db password = \"S3cret\"'", "NACHET_DB_URL"),
        ("NACHET_DB_URL=postgresql://db/nachet?password=S3cret", "NACHET_DB_URL"),
        ("NACHET_STORAGE_URL=AccountName=nachetlab;AccountKey=S3cret==", "NACHET_STORAGE_URL"),
        ("NACHET_STORAGE_URL=BlobEndpoint=https://x/;SharedAccessSignature=sv=1&sig=S3cret", "NACHET_STORAGE_URL"),
        ("NACHET_STORAGE_URL=https://nachetlab.blob.core.windows.net/?sv=1&sig=S3cret", "NACHET_STORAGE_URL"),
        ("NACHET_BLOB_KEY=S3cret==", "NACHET_BLOB_KEY"),
        ("export PGPASSWORD=S3cret", "PGPASSWORD"),
        ("AZURE_STORAGE_KEY=S3cret", "AZURE_STORAGE_KEY"),
    ])
    func aSecretInAFileEveryoneMayReadIsSaidWithTheFix(_ line: String, _ setting: String) throws {
        let directory = TemporaryDirectory()
        let path = file("NACHET_SYNC_DROP_DIR=/srv/drop\n\(line)\n", mode: 0o644, in: directory)

        let exposure = try #require(try Settings.load(file: path, environment: [:]).fileExposure)

        #expect(exposure.secretSettings == [setting])
        let message = exposure.description
        #expect(message.contains("the configuration file \(path) holds secrets (\(setting))"))
        #expect(message.contains("every user of this PC may read it (mode 0644)"))
        #expect(message.contains("chmod 600 \(path)"))
        #expect(!message.contains("S3cret"), "never the secret itself")
    }

    @Test func aFileWithoutSecretsOrReadableByItsOwnerAloneIsNotSaid() throws {
        let directory = TemporaryDirectory()
        let plain = file(
            "NACHET_DB_URL=postgresql://nachet@db/nachet\nNACHET_STORAGE_URL=UseDevelopmentStorage=true\nNACHET_BLOB_KEY=\n", mode: 0o644,
            in: directory)
        #expect(try Settings.load(file: plain, environment: [:]).fileExposure == nil)

        let secret = file("NACHET_DB_URL=postgresql://nachet:pw@db/nachet\n", mode: 0o600, in: directory)
        #expect(try Settings.load(file: secret, environment: [:]).fileExposure == nil)
    }

    @Test func aGroupReadableFileIsSaidUnlessTheGroupIsTheAgentsOwn() throws {
        let directory = TemporaryDirectory()
        let path = file("PGPASSWORD=pw\n", mode: 0o640, in: directory)
        let settings = try Settings.load(file: path, environment: [:])
        // A file made by this process has its group: private when it is the
        // user's own group (root's, or one named after the user).
        #expect((settings.fileExposure == nil) == ConfigFileExposure.isAgentsPrivateGroup(getegid()))

        let foreign: gid_t = getegid() == 65_534 ? 65_533 : 65_534
        #expect(!ConfigFileExposure.isAgentsPrivateGroup(foreign))
        if chown(path, uid_t.max, foreign) == 0 {
            let exposure = try #require(settings.fileExposure)
            #expect(exposure.description.contains("the members of its group"))
            #expect(exposure.description.contains("(mode 0640)"))
        }
    }
}
