import Foundation
import Glibc

/// A `--config` file that holds a secret and that users other than the
/// agent's may read: said at start and at each reload, with the fix.
///
/// Readable by others (`o+r`) is always said. Readable by its group is
/// accepted only when that group is the agent's own private group, one
/// nobody else is in: the group the agent runs as, named after its user
/// (`nachet-sync`) or `root`, with no other listed member. That is the
/// `chmod 640`, `chgrp nachet-sync` set-up of a service reading its file
/// through its group; any other group (`staff`, `users`, `adm`) may hold
/// people, and is said.
package struct ConfigFileExposure: Sendable, Equatable, CustomStringConvertible {
    /// The configuration file.
    package var file: String
    /// Its permission bits.
    package var mode: mode_t
    /// The settings in it that hold secrets (names only).
    package var secretSettings: [String]
    /// Who else may read it: "every user of this PC", or the group's members.
    package var readers: String

    /// The exposure of `file`, holding `secretSettings`, if any.
    package static func check(file: String, secretSettings: [String]) -> ConfigFileExposure? {
        guard !secretSettings.isEmpty else { return nil }
        var status = stat()
        guard stat(file, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o7777
        if mode & 0o004 != 0 {
            return ConfigFileExposure(file: file, mode: mode, secretSettings: secretSettings, readers: "every user of this PC")
        }
        if mode & 0o040 != 0, !isAgentsPrivateGroup(status.st_gid) {
            let group = groupName(status.st_gid).map { "group \($0)" } ?? "group \(status.st_gid)"
            return ConfigFileExposure(file: file, mode: mode, secretSettings: secretSettings, readers: "the members of its \(group)")
        }
        return nil
    }

    package var description: String {
        "the configuration file \(file) holds secrets (\(secretSettings.joined(separator: ", "))) and \(readers) may read it "
            + "(mode \(PrivateFiles.octal(mode))): run `chmod 600 \(file)`, or `chmod 640 \(file)` and `chgrp nachet-sync \(file)` "
            + "when the service reads it through a group of its own"
    }

    // MARK: - What holds a secret

    /// The settings of a configuration file's text that hold a secret: a
    /// password in a PostgreSQL string, an Azure account key or SAS
    /// signature, `NACHET_BLOB_KEY`, `PGPASSWORD`, or any variable named
    /// like a password, secret, token or key.
    package static func secretSettings(in text: String) -> [String] {
        var names: [String] = []
        for (_, rawLine) in TextFileLines.numbered(text) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = Settings.unquoted(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            if !names.contains(name), holdsSecret(name: name, value: value) { names.append(name) }
        }
        return names
    }

    static func holdsSecret(name: String, value: String) -> Bool {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { return false }
        if Setting.named(name)?.isSecret == true { return true }
        let upper = name.uppercased()
        if ["PASSWORD", "PASSWD", "SECRET", "TOKEN"].contains(where: upper.contains) || upper.hasSuffix("_KEY") { return true }
        if SecretMasking.isAzure(value) { return SecretMasking.maskConnectionString(value) != value }
        if name == Setting.catalogue.variable || value.lowercased().hasPrefix("postgres") || CatalogueLocation.startsWithKeyword(value) {
            return PostgresConnectionString.holdsSecret(value)
        }
        return false
    }

    // MARK: - Groups

    /// Whether `gid` is the agent's own private group: its effective group,
    /// named after its user or root's, with no other listed member.
    static func isAgentsPrivateGroup(_ gid: gid_t) -> Bool {
        guard gid == getegid(), let group = groupEntry(gid) else { return false }
        let user = userName(geteuid())
        return (gid == 0 || group.name == user) && group.members.allSatisfy { $0 == user }
    }

    private static func groupName(_ gid: gid_t) -> String? {
        groupEntry(gid)?.name
    }

    private static func groupEntry(_ gid: gid_t) -> (name: String, members: [String])? {
        var buffer = [CChar](repeating: 0, count: 16_384)
        return buffer.withUnsafeMutableBufferPointer { storage -> (name: String, members: [String])? in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            guard let base = storage.baseAddress, getgrgid_r(gid, &entry, base, storage.count, &result) == 0, result != nil,
                let name = entry.gr_name
            else { return nil }
            var members: [String] = []
            var member = entry.gr_mem
            while let pointer = member?.pointee {
                members.append(String(cString: pointer))
                member = member?.advanced(by: 1)
            }
            return (String(cString: name), members)
        }
    }

    private static func userName(_ uid: uid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 16_384)
        return buffer.withUnsafeMutableBufferPointer { storage -> String? in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard let base = storage.baseAddress, getpwuid_r(uid, &entry, base, storage.count, &result) == 0, result != nil,
                let name = entry.pw_name
            else { return nil }
            return String(cString: name)
        }
    }
}
