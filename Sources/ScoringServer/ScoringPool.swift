import Foundation

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
            if let timeout { answer.deadline(after: timeout, give: .timedOut) }
        }
    }
}
