/// The version of nachet-sync, in one place: `nachet-sync --version` prints
/// it, an agent reporting to `serve` sends it and the fleet page shows both
/// (an agent older than its server is said there), and `packaging/version.sh`
/// reads it from this file for the Debian package's version, so none can differ.
package enum NachetSyncVersion {
    /// Raised by hand for a release. Keep the form `static let current = "X.Y.Z"`
    /// on one line: `packaging/version.sh` parses it.
    package static let current = "0.1.0"
}
