import Foundation
import Glibc
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The state directory is its user's only.
@Suite("state directory")
struct StateDirectoryTests {
    @Test func aNewStateDirectoryAndItsMissingParentsAre0700() throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("a/b/state")

        try StateDirectory.create(state)

        for path in [directory.appending("a"), directory.appending("a/b"), state] { #expect(FileModes.of(path) == 0o700, "\(path)") }
    }

    @Test func aFileWhereTheStateDirectoryShouldBeIsNamed() throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        #expect(FileManager.default.createFile(atPath: state, contents: Data()))
        #expect {
            try StateDirectory.create(state)
        } throws: { error in
            "\(error)".contains("cannot create the state directory \(state)") && "\(error)".contains("--state-dir")
        }
    }

    @Test func anOpenStateDirectoryOfTheAgentsIsTightenedOnce() throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        for (name, contents) in [("empty", [String]()), ("older", [SyncState.fileName, "catalogue.sqlite"])] {
            let path = state + "-" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for file in contents { #expect(FileManager.default.createFile(atPath: path + "/" + file, contents: Data())) }
            chmod(path, 0o755)

            #expect(StateDirectory.makePrivate(path) == .tightened(from: 0o755))
            #expect(FileModes.of(path) == 0o700)
            #expect(StateDirectory.makePrivate(path) == nil, "said once")
        }
    }

    @Test func aSharedFolderGivenAsTheStateDirectoryIsLeftAlone() throws {
        let directory = TemporaryDirectory()
        let shared = directory.appending("var-lib")
        try FileManager.default.createDirectory(atPath: shared + "/postgresql", withIntermediateDirectories: true)
        chmod(shared, 0o755)
        let sticky = directory.appending("tmp")
        try FileManager.default.createDirectory(atPath: sticky, withIntermediateDirectories: true)
        chmod(sticky, 0o1777)

        #expect(StateDirectory.makePrivate(shared) == .leftOpen(mode: 0o755))
        #expect(FileModes.of(shared) == 0o755)
        #expect(StateDirectory.makePrivate(sticky) == .leftOpen(mode: 0o1777))
        #expect(FileModes.of(sticky) == 0o1777)
    }

    @Test func theAgentSaysOnceThatItTightenedTheStateDirectory() throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chmod(state, 0o755)
        let configuration = AgentConfiguration(
            stateDirectory: state, catalogue: .sqlite(path: state + "/catalogue.sqlite"), blobStore: .directory(path: state + "/blobs"),
            extensions: .nachetDefault)
        let log = CapturedLog()

        _ = try Agent(configuration: configuration, logger: log.logger())
        _ = try Agent(configuration: configuration, logger: log.logger())

        #expect(
            log.messages.filter { $0.contains("the state directory was open to other users (mode 0755)") }.count == 1, "\(log.messages)")
        #expect(FileModes.of(state) == 0o700)
    }
}
