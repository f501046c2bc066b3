import Foundation

/// The distinct (owner, name) pairs of a batch of set requests, in the
/// order first asked, so a catalogue makes each set once however often the
/// batch names it, and answers every request.
struct SetNames {
    /// An owner's set name.
    struct Key: Hashable {
        var owner: UUID
        var name: String
    }

    /// Each pair once, with the first request naming it, sorted by owner
    /// and name: the order in which catalogues lock them.
    let unique: [NewPictureSet]
    private let keys: [Key]

    init(_ requests: [NewPictureSet]) {
        keys = requests.map { Key(owner: $0.ownerID, name: $0.name) }
        var seen = Set<Key>()
        unique = requests.filter { seen.insert(Key(owner: $0.ownerID, name: $0.name)).inserted }
            .sorted { ($0.ownerID.lowercased, $0.name) < ($1.ownerID.lowercased, $1.name) }
    }

    /// One answer per request, in the order asked.
    func answers<Answer>(_ answer: (Key) throws -> Answer) rethrows -> [Answer] {
        var answered: [Key: Answer] = [:]
        return try keys.map { key in
            if let known = answered[key] { return known }
            let value = try answer(key)
            answered[key] = value
            return value
        }
    }
}
