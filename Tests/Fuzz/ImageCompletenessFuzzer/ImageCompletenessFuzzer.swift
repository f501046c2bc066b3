import Glibc
import NachetSync

/// A file the inputs are written to, to be judged through a descriptor too.
nonisolated(unsafe) private var scratchFile: Int32 = -1

/// libFuzzer's entry point: judges the input as a whole file, from memory
/// and from a file descriptor, for completeness (``ImageCompleteness``) and
/// for what it is (``ImageContent``), and stops the run if the two ways
/// disagree, or if the content check calls whole an image the completeness
/// check calls cut.
///
/// libFuzzer itself catches crashes, hangs (`-timeout`) and allocations
/// larger than the input warrants (`-malloc_limit_mb`);
/// `Tests/Fuzz/run-fuzzers.sh` sets those.
@_cdecl("LLVMFuzzerTestOneInput")
public func imageCompletenessFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let fromMemory = ImageCompleteness.problem(bytes: bytes)
    if scratchFile < 0 {
        var template = Array("/tmp/nachet-image-fuzz-XXXXXX".utf8CString)
        scratchFile = mkstemp(&template)
        guard scratchFile >= 0 else { fatalError("cannot create a scratch file in /tmp") }
        unlink(template)
    }
    guard ftruncate(scratchFile, 0) == 0,
        bytes.withUnsafeBytes({ pwrite(scratchFile, $0.baseAddress, $0.count, 0) }) == bytes.count
    else { fatalError("cannot write the scratch file") }
    let fromDescriptor = ImageCompleteness.problem(descriptor: scratchFile, size: Int64(bytes.count))
    if fromMemory != fromDescriptor {
        fatalError("memory says \(fromMemory ?? "whole"), descriptor says \(fromDescriptor ?? "whole")")
    }
    let verdict = ImageContent.verdict(bytes: bytes)
    let verdictFromDescriptor = ImageContent.verdict(descriptor: scratchFile, size: Int64(bytes.count))
    if verdict != verdictFromDescriptor {
        fatalError("content: memory says \(verdict), descriptor says \(verdictFromDescriptor)")
    }
    if case .image = verdict, let fromMemory {
        fatalError("content says a whole image, completeness says \(fromMemory)")
    }
    return 0
}
