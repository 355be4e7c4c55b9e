import Foundation
import NIOCore
import NIOPosix

/// A continuation that is resumed once, by whichever comes first (the result or the deadline);
/// the loser's timer is cancelled at once, which removes it from the event loop's queue, so an
/// answered request holds no timer and no buffer until its deadline would have passed.
final class OneAnswer<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `continuation` and `timer` are read and changed only under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?
    private var timer: Scheduled<Void>?

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = continuation }

    var given: Bool { lock.withLock { continuation == nil } }

    func give(_ value: Value) {
        let (pending, timer) = lock.withLock { () -> (CheckedContinuation<Value, Never>?, Scheduled<Void>?) in
            defer { continuation = nil; self.timer = nil }
            return (continuation, self.timer)
        }
        timer?.cancel()
        pending?.resume(returning: value)
    }

    /// Gives `value` after `seconds` unless something else is given first.
    func deadline(after seconds: Double, give value: Value) {
        let scheduled = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .nanoseconds(Int64(seconds * 1_000_000_000))) { [weak self] () -> Void in
            self?.give(value)
        }
        let alreadyGiven = lock.withLock { () -> Bool in
            if continuation == nil { return true }
            timer = scheduled
            return false
        }
        if alreadyGiven { scheduled.cancel() }
    }
}
