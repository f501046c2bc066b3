import Foundation

/// The fuzzers' seed inputs and the crashers they found (`Tests/Fuzz`),
/// which the tests also use as sample files.
enum FuzzCorpus {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The fuzz targets, as named in `Tests/Fuzz/Corpus` and `Tests/Fuzz/Crashers`.
    enum Target: String, CaseIterable {
        case images
        case metadata
    }

    /// The bytes of the seed input `name` of `target`.
    static func seed(_ name: String, of target: Target = .images) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent("Corpus/\(target.rawValue)/\(name)")))
    }

    /// Every seed input and crasher of `target`: its name and bytes.
    static func files(of target: Target) throws -> [(name: String, bytes: [UInt8])] {
        try ["Corpus", "Crashers"].flatMap { kind -> [(name: String, bytes: [UInt8])] in
            let folder = root.appendingPathComponent("\(kind)/\(target.rawValue)")
            guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                .filter { !$0.hasPrefix(".") }
                .map { name in ("\(kind)/\(name)", [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))) }
        }
    }
}
