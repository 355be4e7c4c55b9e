import Foundation

/// A stop request (SIGTERM, SIGINT) that the timer waits on: the cycle in progress finishes, the
/// wait for the next one ends at once.
public final class StopSignal: @unchecked Sendable {
    // @unchecked Sendable: `requested` is only read and written under `lock`; the semaphore is
    // thread-safe by itself.
    private let lock = NSLock()
    private var requested = false
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isRequested: Bool { lock.withLock { requested } }

    public func request() {
        let first = lock.withLock { () -> Bool in
            defer { requested = true }
            return !requested
        }
        if first { semaphore.signal() }
    }

    /// Routes SIGTERM and SIGINT here instead of killing the process.
    public func installHandlers() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    /// Sleeps up to `seconds`; returns true when a stop was requested meanwhile.
    public func wait(seconds: Double) -> Bool {
        if isRequested { return true }
        _ = semaphore.wait(timeout: .now() + max(0, seconds))
        if isRequested {
            semaphore.signal() // keep it signalled for any later wait
            return true
        }
        return false
    }
}
