import Foundation

/// The Python that runs the tests' Python parts: `NACHET_TEST_PYTHON`, else the
/// virtual environment `packaging/dev-setup.sh` makes (`.venv-tests`, with
/// `azure-storage-blob` and `jsonschema`), else `python3`.
package enum TestPython {
    /// The repository's root.
    package static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static var executable: String {
        if let configured = ProcessInfo.processInfo.environment["NACHET_TEST_PYTHON"], !configured.isEmpty { return configured }
        let venv = repository.appendingPathComponent(".venv-tests/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// Runs Python with `arguments` and `input` on its standard input; waits
    /// without blocking a cooperative thread, and kills a run longer than
    /// `limit` (the SDK's own retries are bounded far below it).
    package static func run(
        _ arguments: [String], input: String? = nil, limit: Duration = .seconds(600)
    ) async throws -> (status: Int32, output: String) {
        let files = NSTemporaryDirectory() + "/nachet-python-" + UUID().uuidString
        defer {
            unlink(files + ".in")
            unlink(files + ".out")
        }
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: files + ".in"))
        let process = try SpawnedProcess(executable, arguments, input: .file(files + ".in"), output: .file(files + ".out"), error: nil)
        try await process.exit(within: limit)
        let text = (try? String(contentsOfFile: files + ".out", encoding: .utf8)) ?? ""
        return (process.terminationStatus, text)
    }
}
