import Foundation

/// The file extensions the agent takes as images, compared without case.
package struct ImageExtensions: Sendable, Equatable {
    /// Nachet's default list (`NACHET_VALID_EXTENSION` when unset).
    package static let nachetDefault = ImageExtensions(["jpeg", "jpg", "png", "gif", "bmp", "tiff", "webp"])

    /// The accepted extensions, lower-case and without a leading dot.
    package let extensions: Set<String>

    /// Makes a list from names such as `"jpg"`, `".TIF"`, or `"image/png"`.
    package init(_ names: some Sequence<String>) {
        extensions = Set(names.compactMap(Self.normalise))
    }

    /// Reads `NACHET_VALID_EXTENSION`: a JSON list (`["jpg", "png"]`), or,
    /// as some deployments write it, a comma-separated list.
    ///
    /// - Throws: ``ConfigurationError`` when the value yields no extension.
    package init(environmentValue value: String) throws(ConfigurationError) {
        let names: [String]
        if let data = value.data(using: .utf8),
            let list = try? JSONSerialization.jsonObject(with: data) as? [String]
        {
            names = list
        } else {
            names = value.split(whereSeparator: { ",; []\"'".contains($0) }).map(String.init)
        }
        self.init(names)
        guard !extensions.isEmpty else {
            throw ConfigurationError(
                "\(Setting.validExtensions.variable) is set but names no extension; "
                    + "write a JSON list such as [\"jpg\", \"png\", \"tiff\"] or unset it"
            )
        }
    }

    /// Whether `fileName` ends in one of the accepted extensions.
    ///
    /// `tif` counts as `tiff`, the spelling microscope cameras use most.
    package func accepts(fileName: String) -> Bool {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return false }
        let suffix = fileName[fileName.index(after: dot)...].lowercased()
        return extensions.contains(suffix) || (suffix == "tif" && extensions.contains("tiff"))
    }

    private static func normalise(_ name: String) -> String? {
        var trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let slash = trimmed.lastIndex(of: "/") { trimmed = String(trimmed[trimmed.index(after: slash)...]) }
        while trimmed.hasPrefix(".") { trimmed.removeFirst() }
        return trimmed.isEmpty ? nil : trimmed
    }
}
