import Foundation
import Glibc
import Logging
import NachetSync
import NachetSyncTestSupport
import Testing

/// When log lines carry journald priorities: only when `JOURNAL_STREAM`
/// names the very descriptor they are written to.
@Suite("journal stream detection")
struct JournalStreamTests {
    /// A file opened for writing, and the `JOURNAL_STREAM` value naming it.
    struct OpenFile: ~Copyable {
        let descriptor: Int32
        let streamValue: String

        init(_ path: String) throws {
            descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(.EBADF) }
            var status = stat()
            fstat(descriptor, &status)
            streamValue = "\(status.st_dev):\(status.st_ino)"
        }

        deinit { close(descriptor) }
    }

    @Test func theVariableParsesAsDeviceColonInode() {
        #expect(JournalStream("8:123456") == JournalStream(device: 8, inode: 123_456))
        #expect(JournalStream("18446744073709551615:1") == JournalStream(device: .max, inode: 1))
        for malformed in ["", "8", "8:", ":5", "8:5:1", "a:b", "-1:5", " 8:5"] {
            #expect(JournalStream(malformed) == nil, "\(malformed)")
        }
    }

    @Test func aDescriptorThatIsTheNamedStreamIsTheJournal() throws {
        let directory = TemporaryDirectory()
        let file = try OpenFile(directory.appending("stream"))
        #expect(JournalStream.isJournal(descriptor: file.descriptor, environment: ["JOURNAL_STREAM": file.streamValue]))
    }

    @Test func anInheritedVariableNamingAnotherStreamIsNotTheJournal() throws {
        // A child of a service inherits JOURNAL_STREAM with its standard error
        // sent elsewhere (a file, a pipe): its lines must stay unmarked.
        let directory = TemporaryDirectory()
        let journal = try OpenFile(directory.appending("journal"))
        let elsewhere = try OpenFile(directory.appending("elsewhere"))
        #expect(!JournalStream.isJournal(descriptor: elsewhere.descriptor, environment: ["JOURNAL_STREAM": journal.streamValue]))
    }

    @Test func withoutTheVariableOrWithAClosedDescriptorThereIsNoJournal() throws {
        let directory = TemporaryDirectory()
        let file = try OpenFile(directory.appending("stream"))
        #expect(!JournalStream.isJournal(descriptor: file.descriptor, environment: [:]))
        #expect(!JournalStream.isJournal(descriptor: file.descriptor, environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalStream.isJournal(descriptor: -1, environment: ["JOURNAL_STREAM": file.streamValue]))
    }

    @Test func levelsMapToSyslogPriorities() {
        let expected: [Logger.Level: Int] = [
            .critical: 2, .error: 3, .warning: 4, .notice: 5, .info: 6, .debug: 7, .trace: 7,
        ]
        for level in Logger.Level.allCases {
            #expect(level.syslogPriority == expected[level], "\(level)")
        }
    }

    @Test func everyLineOfAMultiLineMessageIsMarked() {
        #expect(JournalStream.marking("one", priority: 3) == "<3>one")
        #expect(JournalStream.marking("one\ntwo", priority: 4) == "<4>one\n<4>two")
    }
}
