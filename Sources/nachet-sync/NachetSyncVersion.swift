/// The version of nachet-sync, in one place: `nachet-sync --version` prints
/// it, and `packaging/version.sh` reads it from this file for the Debian
/// package's version, so the two cannot differ.
enum NachetSyncVersion {
    /// Raised by hand for a release. Keep the form `static let current = "X.Y.Z"`
    /// on one line: `packaging/version.sh` parses it.
    static let current = "0.1.0"
}
