import Foundation
import ModelFormat
import Scoring

public struct ServerConfiguration: Sendable {
    public var modelURI: String
    public var modelsDirectory: String
    public var host = "127.0.0.1"
    public var port = 5001
    /// Seconds a request may take before it is answered 504.
    public var timeout: Double = 60
    /// Scoring threads (MLflow's workers): requests scored at once.
    public var workers = 1
    /// Requests allowed to wait for a scoring thread; beyond them the server answers 503.
    public var queueLimit = 64
    public var warmup = true
    public var maxBodyBytes = 10 * 1024 * 1024
    /// Seconds between checks of the alias when serving `models:/<name>@<alias>` (0: never).
    public var reloadInterval: Double = 5

    public init(modelURI: String, modelsDirectory: String) {
        self.modelURI = modelURI
        self.modelsDirectory = modelsDirectory
    }
}

/// The router being served, swapped atomically when the alias moves.
final class ModelSlot: @unchecked Sendable {
    // @unchecked Sendable: `loaded` is read and written only under `lock`.
    private let lock = NSLock()
    private var loaded: RouterModel

    init(_ router: RouterModel) { loaded = router }

    var router: RouterModel { lock.withLock { loaded } }

    func install(_ router: RouterModel) { lock.withLock { loaded = router } }
}

/// Counters and a latency histogram for /metrics (Prometheus text format).
final class ServerMetrics: @unchecked Sendable {
    // @unchecked Sendable: every field is guarded by `lock`.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var latencyCounts = [Int](repeating: 0, count: buckets.count)
    private var latencySum = 0.0
    private var latencyTotal = 0
    private var rows = 0
    private var reloads = 0
    private var reloadFailures = 0

    func recordReload(succeeded: Bool) {
        lock.withLock {
            if succeeded { reloads += 1 } else { reloadFailures += 1 }
        }
    }

    func record(path: String, status: Int, seconds: Double, rowsScored: Int = 0) {
        lock.withLock {
            requests["path=\"\(path)\",status=\"\(status)\"", default: 0] += 1
            rows += rowsScored
            guard path == "/invocations" else { return }
            latencySum += seconds
            latencyTotal += 1
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { latencyCounts[index] += 1 }
        }
    }

    func render(modelVersion: Int) -> String {
        lock.withLock {
            var text = "# HELP mntrading_requests_total Requests by path and status.\n# TYPE mntrading_requests_total counter\n"
            for key in requests.keys.sorted() { text += "mntrading_requests_total{\(key)} \(requests[key]!)\n" }
            text += "# HELP mntrading_invocation_seconds Latency of /invocations.\n# TYPE mntrading_invocation_seconds histogram\n"
            for (bound, count) in zip(Self.buckets, latencyCounts) { text += "mntrading_invocation_seconds_bucket{le=\"\(bound)\"} \(count)\n" }
            text += "mntrading_invocation_seconds_bucket{le=\"+Inf\"} \(latencyTotal)\n"
            text += "mntrading_invocation_seconds_sum \(latencySum)\nmntrading_invocation_seconds_count \(latencyTotal)\n"
            text += "# HELP mntrading_rows_scored_total Rows scored.\n# TYPE mntrading_rows_scored_total counter\nmntrading_rows_scored_total \(rows)\n"
            text += "# HELP mntrading_model_version Version of the model being served.\n# TYPE mntrading_model_version gauge\nmntrading_model_version \(modelVersion)\n"
            text += "# HELP mntrading_reloads_total Versions swapped in after the alias moved.\n# TYPE mntrading_reloads_total counter\nmntrading_reloads_total \(reloads)\n"
            text += "# HELP mntrading_reload_failures_total New versions rejected (the old one kept serving).\n# TYPE mntrading_reload_failures_total counter\nmntrading_reload_failures_total \(reloadFailures)\n"
            return text
        }
    }
}

/// Scoring off the event loop and off Swift's cooperative threads: a fixed number of dedicated
/// threads with a bounded queue in front of them. Dispatch queues would share their worker threads
/// with the concurrency runtime, so a burst of large requests could delay `/ping` and the request
/// deadlines; dedicated threads cannot.
final class ScoringPool: @unchecked Sendable {
    // @unchecked Sendable: `jobs` is guarded by `condition`; the threads only touch it under it.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private let queueLimit: Int

    init(workers: Int, queueLimit: Int) {
        self.queueLimit = queueLimit
        for index in 0..<max(workers, 1) {
            let thread = Thread { [self] in self.work() }
            thread.name = "mntrading-scoring-\(index)"
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    enum Outcome<T: Sendable>: Sendable { case done(Result<T, Error>), overloaded, timedOut }

    /// Runs `work` on a scoring thread, or refuses at once when the queue is full. With a
    /// `timeout` (seconds, queueing included, as MLflow counts it) the answer is `.timedOut` at the
    /// deadline, whether the work is still queued or running; queued work that missed its deadline
    /// is skipped, so it does not hold a scoring thread for nobody.
    func run<T: Sendable>(timeout: Double? = nil, _ work: @escaping @Sendable () throws -> T) async -> Outcome<T> {
        await withCheckedContinuation { continuation in
            let answer = OneAnswer(continuation)
            condition.lock()
            guard jobs.count < queueLimit else {
                condition.unlock()
                answer.give(.overloaded)
                return
            }
            jobs.append {
                guard !answer.given else { return }
                answer.give(.done(Result { try work() }))
            }
            condition.signal()
            condition.unlock()
            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { answer.give(.timedOut) }
            }
        }
    }
}

/// A continuation that is resumed once, by whichever comes first: the result or the deadline.
final class OneAnswer<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `continuation` is read and cleared only under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<ScoringPool.Outcome<T>, Never>?

    init(_ continuation: CheckedContinuation<ScoringPool.Outcome<T>, Never>) { self.continuation = continuation }

    var given: Bool { lock.withLock { continuation == nil } }

    func give(_ outcome: ScoringPool.Outcome<T>) {
        let pending = lock.withLock { () -> CheckedContinuation<ScoringPool.Outcome<T>, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: outcome)
    }
}
