import Foundation

/// The Python that runs the tests' Python parts: `NACHET_TEST_PYTHON`, else the
/// virtual environment `packaging/dev-setup.sh` makes (`.venv-tests`, with
/// `azure-storage-blob` and `jsonschema`), else `python3`.
public enum TestPython {
    /// The repository's root.
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var executable: String {
        if let configured = ProcessInfo.processInfo.environment["NACHET_TEST_PYTHON"], !configured.isEmpty { return configured }
        let venv = repository.appendingPathComponent(".venv-tests/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// Runs Python with `arguments` and `input` on its standard input; waits
    /// without blocking a cooperative thread.
    public static func run(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let files = NSTemporaryDirectory() + "/nachet-python-" + UUID().uuidString
                    defer {
                        unlink(files + ".in")
                        unlink(files + ".out")
                    }
                    try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: files + ".in"))
                    let process = try SpawnedProcess(executable, arguments, input: .file(files + ".in"), output: .file(files + ".out"), error: nil)
                    process.waitUntilExit()
                    let text = (try? String(contentsOfFile: files + ".out", encoding: .utf8)) ?? ""
                    continuation.resume(returning: (process.terminationStatus, text))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
