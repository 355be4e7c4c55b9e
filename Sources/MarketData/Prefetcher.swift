import Foundation

/// Runs numbered jobs in order on a thread of its own, at most `ahead` results ahead of the one
/// who takes them: reading the next candle file overlaps SQLite's insert of this one, each on a
/// core, with at most `ahead` series in memory beside the one being written.
final class Prefetcher<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `ready`, `taken` and `stopped` are read and written only under `condition`'s
    // lock; the job closure is Sendable.
    private let condition = NSCondition()
    private var ready: [Int: Result<Value, any Error>] = [:]
    private var taken = 0
    private var stopped = false

    init(count: Int, ahead: Int = 2, job: @escaping @Sendable (Int) throws -> Value) {
        let thread = Thread { [self] in
            for index in 0..<count {
                condition.lock()
                while !stopped && index - taken >= ahead { condition.wait() }
                let stop = stopped
                condition.unlock()
                if stop { return }
                let result = Result { try job(index) }
                condition.lock()
                ready[index] = result
                condition.broadcast()
                condition.unlock()
                if case .failure = result { return }
            }
        }
        thread.start()
    }

    /// The result of job `index`, waiting for it; jobs are taken in order.
    func value(_ index: Int) throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        let result = ready.removeValue(forKey: index)!
        taken = index + 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops the thread before its next job (the taker failed or is done).
    func cancel() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
