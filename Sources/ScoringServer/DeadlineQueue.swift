import Foundation

/// Request deadlines, cheap enough for every request: one thread keeps the pending deadlines in a
/// list ordered by time (requests share one timeout, so a new deadline almost always goes last),
/// adding and removing one is a lock and a few pointer moves, and a removed deadline is gone at
/// once: an answered request holds no timer and no closure until its deadline would have passed.
/// (A dispatch `asyncAfter` held each request's closure until then; an event-loop timer costs two
/// cross-thread wake-ups per request.)
final class DeadlineQueue: @unchecked Sendable {
    // @unchecked Sendable: the list is read and changed only under `condition`.
    final class Entry: @unchecked Sendable {
        fileprivate let due: UInt64
        fileprivate var fire: (@Sendable () -> Void)?
        fileprivate var previous: Entry?
        fileprivate var next: Entry?

        fileprivate init(due: UInt64, fire: @escaping @Sendable () -> Void) {
            self.due = due
            self.fire = fire
        }
    }

    static let shared = DeadlineQueue()

    private let condition = NSCondition()
    private var head: Entry?
    private var tail: Entry?
    /// When the thread will next look (nil: not until signalled), so that only a deadline earlier
    /// than that wakes it: a steady stream of requests wakes it about once per timeout, not per request.
    private var wakeAt: UInt64?

    private init() {
        let thread = Thread { [self] in self.run() }
        thread.name = "mntrading-deadlines"
        thread.start()
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Calls `fire` after `seconds` unless `cancel` comes first.
    func add(after seconds: Double, _ fire: @escaping @Sendable () -> Void) -> Entry {
        let entry = Entry(due: Self.now() + UInt64(max(seconds, 0) * 1_000_000_000), fire: fire)
        condition.lock()
        var after = tail
        while let candidate = after, candidate.due > entry.due { after = candidate.previous }
        entry.previous = after
        entry.next = after?.next ?? (after == nil ? head : nil)
        if let after { after.next = entry } else { head = entry }
        if let next = entry.next { next.previous = entry } else { tail = entry }
        if wakeAt.map({ entry.due < $0 }) ?? true { condition.signal() }
        condition.unlock()
        return entry
    }

    /// Removes `entry` if it has not fired; its closure is released at once.
    func cancel(_ entry: Entry) {
        condition.lock()
        if entry.fire != nil { unlink(entry) }
        condition.unlock()
    }

    private func unlink(_ entry: Entry) {
        if let previous = entry.previous { previous.next = entry.next } else { head = entry.next }
        if let next = entry.next { next.previous = entry.previous } else { tail = entry.previous }
        entry.previous = nil
        entry.next = nil
        entry.fire = nil
    }

    private func run() {
        while true {
            condition.lock()
            var due: [@Sendable () -> Void] = []
            let now = Self.now()
            while let first = head, first.due <= now {
                if let fire = first.fire { due.append(fire) }
                unlink(first)
            }
            if due.isEmpty {
                if let first = head {
                    wakeAt = first.due
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(first.due - now) / 1e9))
                } else {
                    wakeAt = nil
                    condition.wait()
                }
                wakeAt = 0
            }
            condition.unlock()
            for fire in due { fire() }
        }
    }
}
