import Foundation

/// A fresh directory under the system's temporary folder, removed with its
/// contents when the value is released. Tests write nowhere else.
package final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    package let path: String

    package init(_ label: String = "nachet-sync-test") {
        TestRunWatchdog.arm()
        var template = Array((NSTemporaryDirectory() + "/\(label)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "cannot create a temporary directory")
        path = (String(cString: made!) as NSString).standardizingPath
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path` joined with `components`.
    package func appending(_ components: String...) -> String {
        ([path] + components).joined(separator: "/")
    }
}
