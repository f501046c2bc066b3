import Foundation
import NachetSyncTestSupport
import Testing

/// `nachet-sync --version` and the Debian package share one version.
@Suite("nachet-sync --version")
struct VersionCommandLineTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func versionPrintsThePackagesVersion() async throws {
        let commandLine = CommandLineTests()
        let printed = try await commandLine.run(["--version"])
        #expect(printed.status == 0, "\(printed.errors)")

        // What packaging/build-deb.sh stamps the .deb with.
        let script = Self.repository.appendingPathComponent("packaging/version.sh").path
        let packaged = try await commandLine.run([:], executable: "/bin/bash", arguments: [script])
        #expect(packaged.status == 0, "\(packaged.errors)")

        let version = packaged.output.trimmingCharacters(in: .newlines)
        #expect(!version.isEmpty)
        #expect(printed.output == version + "\n")
        #expect(version.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+"#, options: .regularExpression) != nil)
    }
}
