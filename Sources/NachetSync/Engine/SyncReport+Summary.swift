import Foundation

extension FolderReport {
    /// One line for the folder, then one line per problem and failed file;
    /// names from the folder cannot break a line or command a terminal
    /// (``Swift/String/escapingControlCharacters``).
    package var summaryLines: [String] {
        let name = (path as NSString).lastPathComponent
        var head: String
        switch status {
        case .pending:
            head = "\(name): pending — no metadata.json yet (\(waiting) image\(waiting == 1 ? "" : "s") waiting)"
        case .invalid:
            head = "\(name): NOT UPLOADED — metadata.json needs fixing (\(waiting) image\(waiting == 1 ? "" : "s") waiting)"
        case .failed:
            head = "\(name): NOT UPLOADED — the picture set could not be prepared; retried at the next run"
        case .active:
            var counts = ["\(uploaded) uploaded"]
            if alreadyStored > 0 { counts.append("\(alreadyStored) already there") }
            if unchanged > 0 { counts.append("\(unchanged) unchanged") }
            if waiting > 0 { counts.append("\(waiting) still changing") }
            if !failures.isEmpty { counts.append("\(failures.count) failed") }
            head = "\(name) → set \"\(folderName ?? "?")\" (\(setID?.lowercased ?? "?")): " + counts.joined(separator: ", ")
        }
        let lines =
            [head]
            + problems.map { "    error: \($0)" }
            + failures.map { "    error: \(($0.path as NSString).lastPathComponent): \($0.reason)" }
            + datastoreProblems.map { "    datastore: \($0)" }
            + repaired.map { "    repaired: \($0)" }
            + notes.map { "    note: \($0)" }
        return lines.map(\.escapingControlCharacters) + SkippedEntry.summaryLines(skipped)
    }
}

extension SkippedEntry {
    /// How many notes (entries left out that are not problems) a summary
    /// lists before it counts the rest; problems are always listed.
    static let notesListed = 10

    /// The summary lines for `entries`: each problem as an error, then the
    /// first notes, then how many more.
    static func summaryLines(_ entries: [SkippedEntry]) -> [String] {
        let notes = entries.filter { !$0.isProblem }
        return entries.filter(\.isProblem).map { "    error: \($0.line.escapingControlCharacters)" }
            + notes.prefix(notesListed).map { "    skipped: \($0.line.escapingControlCharacters)" }
            + (notes.count > notesListed
                ? ["    … and \(notes.count - notesListed) more left out (`nachet-sync status` lists every one)"] : [])
    }
}

extension SyncReport {
    /// The closing line of a pass.
    package var totalsLine: String {
        "\(sets) set\(sets == 1 ? "" : "s"), \(uploaded) picture\(uploaded == 1 ? "" : "s") uploaded, "
            + "\(alreadyStored + unchanged) skipped as already there (\(unchanged) without reading), "
            + "\(errors) error\(errors == 1 ? "" : "s")"
            + (repairedFolders == 0 ? "" : ", \(repairedFolders) set\(repairedFolders == 1 ? "" : "s") repaired by the datastore check")
            + (pendingFolders.isEmpty
                ? "" : ", \(pendingFolders.count) folder\(pendingFolders.count == 1 ? "" : "s") waiting for metadata.json")
    }

    /// The whole summary `nachet-sync sync` prints.
    package var summary: String {
        let dropLines = skipped.isEmpty ? [] : ["drop folder:"] + SkippedEntry.summaryLines(skipped)
        return (dropLines + folders.flatMap(\.summaryLines) + ["", totalsLine]).joined(separator: "\n")
    }
}
