import Foundation
import Synchronization

/// One metric per set of label values, made the first time those values
/// are recorded and kept: swift-metrics' backends look a metric up by name
/// and labels on each make, which costs more than a dictionary lookup.
package final class LabelledMetrics<Metric: Sendable>: Sendable {
    private let make: @Sendable ([(String, String)]) -> Metric
    private let made = Mutex<[[String]: Metric]>([:])

    /// - Parameter make: Makes the metric of the given labels.
    package init(_ make: @escaping @Sendable ([(String, String)]) -> Metric) {
        self.make = make
    }

    /// The metric of `dimensions` (label, value), made once.
    package func metric(_ dimensions: [(String, String)]) -> Metric {
        let key = dimensions.flatMap { [$0.0, $0.1] }
        return made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make(dimensions)
            made[key] = metric
            return metric
        }
    }
}
