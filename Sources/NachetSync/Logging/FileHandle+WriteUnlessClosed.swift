import Foundation

extension FileHandle {
    /// Writes `text`, losing it when the stream cannot take it (a pipe
    /// whose reader went away, a full disk): the agent's messages are never
    /// worth stopping its uploads for. (`write(_: Data)` stops the process
    /// on such a failure.) Pair it with SIGPIPE ignored, as the `nachet-sync`
    /// executable does.
    package func writeUnlessClosed(_ text: String) {
        try? write(contentsOf: Data(text.utf8))
    }
}
