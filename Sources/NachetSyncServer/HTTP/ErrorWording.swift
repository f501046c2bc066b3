import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// What an error means, in words, for `serve`'s answers and log lines: the
/// errors of SwiftNIO, swift-nio-ssl and the standard library describe
/// themselves by their type and case (`NIOTooManyBytesError(maxBytes: …)`,
/// `ioOnClosedChannel`), which tell a client or an administrator nothing.
/// nachet-sync's own errors already say what happened and the fix.
package enum ErrorWording {
    /// `error` in words, naming no type.
    package static func words(for error: any Error) -> String {
        switch error {
        case let error as NIOTooManyBytesError:
            return error.maxBytes.map { "the request is larger than the \($0) bytes taken" }
                ?? "the request is larger than the server takes"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .inputClosed, .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed:
                return "the connection closed before the exchange ended"
            default: return "the connection failed"
            }
        case HTTPParserError.invalidEOFState:
            return "the connection closed before the request arrived whole"
        case is HTTPParserError:
            return "the request is not valid HTTP/1.1"
        case let error as NIOSSLError:
            switch error {
            case .failedToLoadCertificate: return "no PEM certificate could be read from it"
            case .failedToLoadPrivateKey: return "no unencrypted PEM private key could be read from it"
            case .noSuchFilesystemObject: return "no such file"
            default: return "TLS failed"
            }
        case is CancellationError:
            return "the server is stopping"
        case let error as NSError where !isSwiftError(error):
            return error.localizedDescription
        default:
            return isOurs(error) ? "\(error)" : "an unexpected failure"
        }
    }

    /// Whether `error` is one of nachet-sync's own, which say what happened.
    private static func isOurs(_ error: any Error) -> Bool {
        let type = String(reflecting: Swift.type(of: error))
        return type.hasPrefix("NachetSync.") || type.hasPrefix("NachetSyncServer.")
    }

    /// Whether `error` is a Swift error bridged to `NSError` (every error
    /// is on Linux), rather than one of Foundation's own.
    private static func isSwiftError(_ error: NSError) -> Bool {
        !(error.domain == NSCocoaErrorDomain || error.domain == NSPOSIXErrorDomain || error.domain == NSURLErrorDomain)
    }
}
