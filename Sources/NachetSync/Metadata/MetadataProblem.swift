import Foundation

/// One mistake in a set folder's `metadata.json`, said so that a lab
/// technician can fix it without reading code.
package struct MetadataProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field concerned, as a JSON path (`seed_name`, `images.IMG_7.nb_seeds`),
    /// or `nil` when the whole file is concerned.
    package var field: String?
    /// What is wrong.
    package var message: String
    /// What to do about it.
    package var fix: String

    package init(field: String?, message: String, fix: String) {
        self.field = field
        self.message = message
        self.fix = fix
    }

    package var description: String {
        (field.map { "\($0): " } ?? "") + message + " — " + fix
    }
}

/// The problems that stop a set folder from being uploaded.
package struct MetadataProblems: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in the order of the fields.
    package var problems: [MetadataProblem]

    package init(_ problems: [MetadataProblem]) {
        self.problems = problems
    }

    package var description: String {
        problems.map(\.description).joined(separator: "; ")
    }
}
