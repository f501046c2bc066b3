import Foundation
import NachetSync
import Testing

/// Every fuzzer seed input and every crasher found, run through the same
/// entry points the fuzzers call, so that a plain `swift test` checks them
/// on any toolchain. Names give the verdict due: `complete-`/`truncated-`
/// images, `valid-`/`invalid-` metadata; crashers only need to finish.
@Suite("Fuzz corpus and crashers replay")
struct FuzzCorpusReplayTests {
    @Test func everyImageInputIsJudgedAsItsNameSays() throws {
        let files = try FuzzCorpus.files(of: .images)
        #expect(files.count >= 30, "the corpus is there")
        for file in files {
            let problem = ImageCompleteness.problem(bytes: file.bytes)
            let name = (file.name as NSString).lastPathComponent
            if name.hasPrefix("complete-") { #expect(problem == nil, "\(file.name): \(problem ?? "")") }
            if name.hasPrefix("truncated-") { #expect(problem != nil, "\(file.name) judged whole") }
        }
    }

    /// The content check (``ImageContent``), on the same inputs: a whole
    /// image of its format, an unfinished one, or no image at all
    /// (crashers only need to finish).
    @Test func everyImageInputsContentIsJudgedAsItsNameSays() throws {
        let files = try FuzzCorpus.files(of: .images)
        #expect(files.filter { $0.name.hasPrefix("Corpus/notimage") }.count >= 5)
        for file in files {
            let verdict = ImageContent.verdict(bytes: file.bytes)
            if file.name.hasPrefix("Corpus/complete") { #expect(verdict.problem == nil, "\(file.name): \(verdict)") }
            if file.name.hasPrefix("Corpus/truncated") {
                guard case .unfinished = verdict else { Issue.record("\(file.name): \(verdict)"); continue }
            }
            if file.name.hasPrefix("Corpus/notimage") {
                guard case .notAnImage = verdict else { Issue.record("\(file.name): \(verdict)"); continue }
            }
        }
    }

    @Test func everyMetadataInputIsJudgedAsItsNameSays() throws {
        let files = try FuzzCorpus.files(of: .metadata)
        #expect(files.count >= 15, "the corpus is there")
        for file in files {
            let name = (file.name as NSString).lastPathComponent
            do {
                _ = try SetMetadata.parse(Data(file.bytes))
                #expect(!name.hasPrefix("invalid-"), "\(file.name) parsed")
            } catch {
                #expect(!name.hasPrefix("valid-"), "\(file.name): \(error)")
                #expect(!error.problems.isEmpty && error.problems.allSatisfy { !$0.fix.isEmpty }, "\(file.name)")
            }
        }
    }
}
