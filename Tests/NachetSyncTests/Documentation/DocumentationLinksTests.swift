import Foundation
import Testing

/// The documentation a newcomer walks: README.md and the pages of `docs/`.
/// Every link between them leads to a file of the repository and a heading
/// that exists, none points outside it, and every page is linked from the
/// README.
@Suite("documentation links")
struct DocumentationLinksTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// README.md and every page of docs/, by their path in the repository.
    static func pages() throws -> [String: String] {
        var pages = ["README.md": try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)]
        let docs = repository.appendingPathComponent("docs")
        for name in try FileManager.default.contentsOfDirectory(atPath: docs.path) where name.hasSuffix(".md") {
            pages["docs/" + name] = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
        }
        return pages
    }

    /// The Markdown links of `text` (outside code blocks), `[text](target)`.
    static func links(in text: String) -> [String] {
        var inCode = false
        var targets: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode else { continue }
            for match in line.matches(of: /\]\(([^)\s]+)\)/) { targets.append(String(match.1)) }
        }
        return targets
    }

    /// The anchors GitHub makes for the headings of `text`.
    static func anchors(in text: String) -> Set<String> {
        var inCode = false
        var anchors: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            let kept = title.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == " " || $0 == "_" }
            anchors.insert(String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-"))
        }
        return anchors
    }

    @Test func everyLinkLeadsToAPageAndHeadingOfTheRepository() throws {
        let pages = try Self.pages()
        #expect(pages.count >= 10, "README.md and the pages of docs/")
        var broken: [String] = []
        for (path, text) in pages {
            let folder = (path as NSString).deletingLastPathComponent
            for link in Self.links(in: text) where !link.hasPrefix("http://") && !link.hasPrefix("https://") {
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? path : (folder as NSString).appendingPathComponent(parts[0])
                let target = (file as NSString).standardizingPath
                if target.hasPrefix("..") || link.hasPrefix("/") {
                    broken.append("\(path): \(link) points outside the repository")
                    continue
                }
                guard FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(target).path) else {
                    broken.append("\(path): \(link): no file \(target)")
                    continue
                }
                if parts.count == 2, let page = pages[target], !Self.anchors(in: page).contains(parts[1]) {
                    broken.append("\(path): \(link): \(target) has no heading #\(parts[1])")
                }
            }
        }
        #expect(broken.isEmpty, "\(broken.sorted().joined(separator: "\n"))")
    }

    @Test func everyPageIsLinkedFromTheReadmeWhichStaysShort() throws {
        let pages = try Self.pages()
        let readme = try #require(pages["README.md"])
        let linked = Set(Self.links(in: readme).map { String($0.prefix { $0 != "#" }) })
        let unlinked = pages.keys.filter { $0 != "README.md" && !linked.contains($0) }
        #expect(unlinked.isEmpty, "pages no one can find from the README: \(unlinked.sorted())")
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines <= 300, "README.md is \(lines) lines: move the reference into docs/")
    }
}
