import Foundation

/// A sleep on an event loop's timer that cancellation ends at once, removing the timer: a request
/// answered before its deadline leaves nothing scheduled behind (a `Task.sleep` or `asyncAfter`
/// would hold its closure until the deadline passes).
enum Deadline {
    static func sleep(_ seconds: Double) async {
        let state = State()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = OneAnswer<Void>(continuation)
                if state.attach(answer) { answer.deadline(after: seconds, give: ()) } else { answer.give(()) }
            }
        } onCancel: {
            state.cancel()
        }
    }

    /// The answer to wake, and whether cancellation came first.
    private final class State: @unchecked Sendable {
        // @unchecked Sendable: both fields are read and written only under `lock`.
        private let lock = NSLock()
        private var answer: OneAnswer<Void>?
        private var cancelled = false

        /// false when already cancelled: the caller wakes at once.
        func attach(_ answer: OneAnswer<Void>) -> Bool {
            lock.withLock {
                guard !cancelled else { return false }
                self.answer = answer
                return true
            }
        }

        func cancel() {
            let answer = lock.withLock { () -> OneAnswer<Void>? in
                cancelled = true
                return self.answer
            }
            answer?.give(())
        }
    }
}
