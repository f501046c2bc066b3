/// Which host names and addresses name this machine only: the one rule of
/// the agent (is the token sent over the network?) and of `serve` (may it
/// serve without tokens?).
package enum LoopbackHost {
    /// Whether `host` names this machine only: `localhost`, an IPv4 address
    /// in 127.0.0.0/8 written as four numbers, or `::1`.
    ///
    /// A name that only begins like one (`127.evil.example`, `127.0.0.1.nip.io`)
    /// is a name any DNS server may point anywhere: not loopback.
    package static func contains(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "[::1]" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy(isByte)
    }

    /// `0` to `255` in decimal digits only (not `+1`, not `0x7f`).
    private static func isByte(_ part: Substring) -> Bool {
        !part.isEmpty && part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } && UInt8(part) != nil
    }
}
