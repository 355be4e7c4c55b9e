import Foundation

/// Counters and a latency histogram for /metrics (Prometheus text format).
final class ServerMetrics: @unchecked Sendable {
    // @unchecked Sendable: every field is guarded by `lock`.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let lock = NSLock()
    /// The routes counted: a request's key is its route and status, two integers, not a path
    /// hashed or a label built per request.
    enum Route {
        case ping, invocations, infer

        var path: String {
            switch self {
            case .ping: "/ping"
            case .invocations: "/invocations"
            case .infer: "/v2/infer"
            }
        }
    }

    private struct Key: Hashable {
        let route: Route
        let status: Int
    }
    private var requests: [Key: Int] = [:]
    private var latencyCounts = [Int](repeating: 0, count: buckets.count)
    private var latencySum = 0.0
    private var latencyTotal = 0
    private var rows = 0
    private var pipelineAnswers = 0
    private var reloads = 0
    private var reloadFailures = 0

    func recordReload(succeeded: Bool) {
        lock.withLock {
            if succeeded { reloads += 1 } else { reloadFailures += 1 }
        }
    }

    /// `inPipeline`: answered by `EventLoopRoutes`.
    func record(_ route: Route, status: Int, seconds: Double, rowsScored: Int = 0, inPipeline: Bool = false) {
        lock.withLock {
            requests[Key(route: route, status: status), default: 0] += 1
            if inPipeline { pipelineAnswers += 1 }
            rows += rowsScored
            guard route == .invocations else { return }
            latencySum += seconds
            latencyTotal += 1
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { latencyCounts[index] += 1 }
        }
    }

    func render(modelVersion: Int) -> String {
        lock.withLock {
            var text =
                "# HELP mntrading_requests_total Requests by path and status.\n# TYPE mntrading_requests_total counter\n"
            let labelled = requests.map { ("path=\"\($0.key.route.path)\",status=\"\($0.key.status)\"", $0.value) }
            for (labels, count) in labelled.sorted(by: { $0.0 < $1.0 }) {
                text += "mntrading_requests_total{\(labels)} \(count)\n"
            }
            text +=
                "# HELP mntrading_invocation_seconds Latency of /invocations.\n# TYPE mntrading_invocation_seconds histogram\n"
            for (bound, count) in zip(Self.buckets, latencyCounts) {
                text += "mntrading_invocation_seconds_bucket{le=\"\(bound)\"} \(count)\n"
            }
            text += "mntrading_invocation_seconds_bucket{le=\"+Inf\"} \(latencyTotal)\n"
            text +=
                "mntrading_invocation_seconds_sum \(latencySum)\nmntrading_invocation_seconds_count \(latencyTotal)\n"
            text +=
                "# HELP mntrading_pipeline_answers_total Requests answered in the channel pipeline, on the event loop that read them.\n# TYPE mntrading_pipeline_answers_total counter\nmntrading_pipeline_answers_total \(pipelineAnswers)\n"
            text +=
                "# HELP mntrading_rows_scored_total Rows scored.\n# TYPE mntrading_rows_scored_total counter\nmntrading_rows_scored_total \(rows)\n"
            text +=
                "# HELP mntrading_model_version Version of the model being served.\n# TYPE mntrading_model_version gauge\nmntrading_model_version \(modelVersion)\n"
            text +=
                "# HELP mntrading_reloads_total Versions swapped in after the alias moved.\n# TYPE mntrading_reloads_total counter\nmntrading_reloads_total \(reloads)\n"
            text +=
                "# HELP mntrading_reload_failures_total New versions rejected (the old one kept serving).\n# TYPE mntrading_reload_failures_total counter\nmntrading_reload_failures_total \(reloadFailures)\n"
            return text
        }
    }
}
