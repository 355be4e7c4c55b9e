import Foundation

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
