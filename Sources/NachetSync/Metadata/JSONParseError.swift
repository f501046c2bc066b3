/// Why a text is not JSON ``JSONParser`` accepts, and where.
package struct JSONParseError: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// The grammar is broken at ``JSONParseError/position``; `reason` says how.
        case syntax(reason: String)
        /// The text ends inside a value.
        case endsEarly
        /// Lists and objects nest deeper than ``JSONParser/maximumDepth``.
        case tooDeep
    }

    var kind: Kind
    /// Where the parser stopped.
    package var position: JSONDocument.Position
}
