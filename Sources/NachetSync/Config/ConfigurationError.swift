import Foundation

/// A configuration the agent cannot run with, said with its fix.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
