import Foundation
import Testing

@testable import NachetSync

/// The text forms a restart and a datastore check read 100,000 times, done
/// without Foundation's `sscanf`: they must agree with Foundation exactly.
@Suite("UUID and hash text")
struct UUIDTextTests {
    @Test func uuidsReadAndWriteAsFoundationDoes() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUIDText.lowercased(id) == id.uuidString.lowercased())
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
    }

    @Test func textThatIsNotAUUIDIsRefused() {
        let id = UUID().uuidString
        for text in ["", String(id.dropLast()), id + "0", id.replacingOccurrences(of: "-", with: "0"), "g" + id.dropFirst(), " " + id.dropLast()] {
            #expect(UUIDText.parse(text) == nil, "\(text)")
        }
    }

    @Test func hashesReadBackToTheirDigits() {
        for seed in 0..<50 {
            let hex = (0..<64).map { String(($0 * 7 + seed) % 16, radix: 16) }.joined()
            #expect(ContentHash(hex: hex)?.hex == hex)
            #expect(ContentHash(hex: hex.uppercased())?.hex == hex)
        }
        #expect(ContentHash(hex: String(repeating: "a", count: 63)) == nil)
        #expect(ContentHash(hex: String(repeating: "a", count: 65)) == nil)
        #expect(ContentHash(hex: String(repeating: "z", count: 64)) == nil)
    }
}
