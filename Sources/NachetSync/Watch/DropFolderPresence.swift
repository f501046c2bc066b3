/// Which drop folders the live agent watches now, and what it has said of
/// the others: a folder missing is warned about once, and its return is
/// said once, however many scans look for it meanwhile.
struct DropFolderPresence: Sendable {
    /// Every drop folder, in the order given.
    let all: [String]
    /// Those watched now.
    private(set) var present: Set<String> = []
    /// Those once watched.
    private var everSeen: Set<String> = []
    /// Those said to be missing, not back since.
    private var saidMissing: Set<String> = []

    init(_ dropDirectories: [String]) {
        all = dropDirectories
    }

    /// The drop folders not watched now, in the order given.
    var absent: [String] { all.filter { !present.contains($0) } }

    /// A watched drop folder went away (deleted, unmounted).
    mutating func vanished(_ drop: String) {
        present.remove(drop)
        saidMissing.insert(drop)
    }

    /// A scan found `drop` missing or unreadable.
    /// - Returns: Whether this is news, to be said.
    mutating func unavailable(_ drop: String) -> Bool {
        saidMissing.insert(drop).inserted
    }

    /// A scan watches `drop` now.
    /// - Returns: Whether it came back after it was missing, to be said.
    mutating func available(_ drop: String) -> Bool {
        let isBack = everSeen.contains(drop) || saidMissing.contains(drop)
        present.insert(drop)
        everSeen.insert(drop)
        saidMissing.remove(drop)
        return isBack
    }
}
