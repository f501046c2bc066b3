import Glibc
import Logging

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which
/// every connection, database and open file counts against.
///
/// systemd starts services with a soft limit of 1,024 (and a hard limit of
/// 524,288): a server with a thousand clients, or an agent with many
/// folders, would then fail to open anything. The soft limit may be raised
/// up to the hard one without privilege, as servers (nginx's
/// `worker_rlimit_nofile`, Go's runtime since 1.19) do at start.
package struct DescriptorLimit: Sendable, Equatable {
    /// The limit in effect.
    package var soft: Int
    /// The most the soft limit may be raised to.
    package var hard: Int

    /// The limits now.
    package static var current: DescriptorLimit {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return DescriptorLimit(soft: 1_024, hard: 1_024) }
        return DescriptorLimit(soft: Self.count(limit.rlim_cur), hard: Self.count(limit.rlim_max))
    }

    /// What raising the soft limit did.
    package enum Raise: Sendable, Equatable {
        /// It was the hard limit already.
        case unchanged(DescriptorLimit)
        /// Raised from `from` to `to.soft`.
        case raised(from: Int, to: DescriptorLimit)
        /// The system refused (a sandbox forbidding `setrlimit`): the limit
        /// stays, with the reason.
        case refused(DescriptorLimit, reason: String)
    }

    /// Raises the soft limit to the hard limit.
    @discardableResult
    package static func raiseToHardLimit() -> Raise {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return .refused(current, reason: String(cString: strerror(errno)))
        }
        let before = count(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return .unchanged(current) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return .refused(current, reason: String(cString: strerror(errno)))
        }
        return .raised(from: before, to: current)
    }

    /// `value` as a count (an unlimited limit, all ones, as `Int.max`).
    private static func count(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }
}

extension DescriptorLimit {
    /// Raises the soft limit to the hard one, saying what it did in the log.
    package static func raiseToHardLimit(logger: Logger) {
        switch raiseToHardLimit() {
        case .unchanged(let limit):
            logger.debug("descriptor limit", metadata: ["descriptors": "\(limit.soft)"])
        case .raised(let before, let limit):
            logger.info("raised the descriptor limit to the hard limit", metadata: ["from": "\(before)", "descriptors": "\(limit.soft)"])
        case .refused(let limit, let reason):
            logger.warning(
                "cannot raise the descriptor limit (\(reason)); set LimitNOFILE= in the unit", metadata: ["descriptors": "\(limit.soft)"])
        }
    }
}
