import Foundation
import NachetSync

/// libFuzzer's entry point: parses the input as a `metadata.json`.
///
/// Every input must either parse or give problems, each with a message and
/// a fix; libFuzzer catches crashes, hangs and runaway allocations.
@_cdecl("LLVMFuzzerTestOneInput")
public func metadataFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    do {
        _ = try SetMetadata.parse(bytes)
    } catch {
        if error.problems.isEmpty || error.problems.contains(where: { $0.message.isEmpty || $0.fix.isEmpty }) {
            fatalError("refused without a problem and its fix: \(error.problems)")
        }
    }
    return 0
}
