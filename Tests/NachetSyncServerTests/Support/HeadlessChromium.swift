import Foundation
import NachetSyncTestSupport

/// Debian's Chromium, headless, as a child process: loads a page as a
/// browser does (its own HTTP, HTML parser and layout; scripts would run,
/// and none must be needed) and gives back the DOM it built, or a
/// screenshot. Its profile and home are a temporary directory of its own.
struct HeadlessChromium {
    /// The browser, from `packaging/dev-setup.sh` (Debian's `chromium`).
    static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    let directory = TemporaryDirectory("chromium")

    /// The DOM of `url` once loaded, serialised as HTML.
    func dom(_ url: String) async throws -> String {
        try await run(["--dump-dom", url]).output
    }

    /// A screenshot of `url` in a window of `width` × `height`, written to `path` (PNG).
    func screenshot(_ url: String, to path: String, width: Int = 1280, height: Int = 720) async throws {
        let run = try await run(["--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw HarnessFailure(description: "chromium made no screenshot (exit \(run.status)): \(run.errors.suffix(2000))")
        }
    }

    private func run(_ arguments: [String]) async throws -> AgentRun {
        guard let executable = Self.executable else {
            throw HarnessFailure(
                description: "Chromium is not installed: run `bash packaging/dev-setup.sh` (it installs Debian's chromium)")
        }
        let run = try await AgentRun.run(
            executable,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=\(directory.appending("profile"))",
            ] + arguments,
            environment: [
                "HOME": directory.path, "XDG_CONFIG_HOME": directory.appending("config"), "XDG_CACHE_HOME": directory.appending("cache"),
            ],
            timeout: .seconds(180))
        guard run.status == 0 else { throw HarnessFailure(description: "chromium exited \(run.status): \(run.errors.suffix(2000))") }
        return run
    }

    /// Where the tests keep what a person may want to look at afterwards
    /// (screenshots): `.build/test-artefacts/NAME` in the package.
    static func artefacts(_ name: String) throws -> String {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = package.appendingPathComponent(".build/test-artefacts/\(name)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
