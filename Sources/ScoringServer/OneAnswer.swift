import Foundation

/// A continuation that is resumed once, by whichever comes first (the result or the deadline);
/// the deadline is removed from the `DeadlineQueue` as soon as the result comes, so an answered
/// request holds no timer and no buffer until its deadline would have passed.
final class OneAnswer<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `continuation` and `timer` are read and changed only under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?
    private var timer: DeadlineQueue.Entry?

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = continuation }

    var given: Bool { lock.withLock { continuation == nil } }

    func give(_ value: Value) {
        let (pending, timer) = lock.withLock { () -> (CheckedContinuation<Value, Never>?, DeadlineQueue.Entry?) in
            defer {
                continuation = nil
                self.timer = nil
            }
            return (continuation, self.timer)
        }
        if let timer { DeadlineQueue.shared.cancel(timer) }
        pending?.resume(returning: value)
    }

    /// Gives `value` after `seconds` unless something else is given first.
    func deadline(after seconds: Double, give value: Value) {
        let entry = DeadlineQueue.shared.add(after: seconds) { [weak self] in self?.give(value) }
        let alreadyGiven = lock.withLock { () -> Bool in
            if continuation == nil { return true }
            timer = entry
            return false
        }
        if alreadyGiven { DeadlineQueue.shared.cancel(entry) }
    }
}
