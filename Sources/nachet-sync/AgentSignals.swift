import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization

/// Turns SIGINT and SIGTERM (stop) and SIGHUP (reload) into calls, instead
/// of letting them kill the process, so the agent can stop between files.
final class AgentSignals {
    private let sources: [any DispatchSourceSignal]

    init(onStop: @escaping @Sendable (String) -> Void, onReload: @escaping @Sendable () -> Void) {
        let handlers: [(Int32, @Sendable () -> Void)] = [
            (SIGINT, { onStop("SIGINT") }),
            (SIGTERM, { onStop("SIGTERM") }),
            (SIGHUP, onReload),
        ]
        sources = handlers.map { number, handler in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// What the signals asked of the running watcher: the task to cancel, and
/// whether to stop or to start again with a reloaded configuration.
final class WatchControl: Sendable {
    /// What comes after the running watcher ends.
    enum Next: Sendable {
        case stop
        case reload
    }

    private struct State {
        var task: Task<Void, any Error>?
        var next: Next?
        var logger: Logger?
    }

    private let state = Mutex(State())

    /// Makes `task` the running watcher, with `logger` for signal notices.
    /// A stop or reload asked before it started cancels it at once.
    /// - Returns: `false` when a stop came first.
    func run(_ task: Task<Void, any Error>, logger: Logger) -> Bool {
        let next = state.withLock { state in
            state.logger = logger
            state.task = task
            return state.next
        }
        if next != nil { task.cancel() }
        return next != .stop
    }

    func stop(because signal: String) {
        let (task, logger) = state.withLock { state in
            state.next = .stop
            return (state.task, state.logger)
        }
        logger?.notice("received \(signal); finishing the current file and stopping")
        task?.cancel()
    }

    func reload() {
        let (task, logger) = state.withLock { state in
            if state.next != .stop { state.next = .reload }
            return (state.task, state.logger)
        }
        logger?.notice("received SIGHUP; finishing the current file, then reloading the configuration")
        task?.cancel()
    }

    /// What was asked while the watcher ran: `nil` when it ended by itself.
    func takeNext() -> Next? {
        state.withLock { state in
            defer { if state.next == .reload { state.next = nil } }
            return state.next
        }
    }
}
