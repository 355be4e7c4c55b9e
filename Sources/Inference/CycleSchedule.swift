import Foundation

/// When `--every` cycles run: at each bar close plus a delay (bars close on multiples of the period
/// since the epoch, as exchanges define them), so a cycle sees the bar that just closed.
public struct CycleSchedule: Sendable, Equatable {
    public var periodMilliseconds: Int64
    public var delayMilliseconds: Int64

    public init(periodMilliseconds: Int64, delayMilliseconds: Int64) {
        self.periodMilliseconds = periodMilliseconds
        self.delayMilliseconds = delayMilliseconds
    }

    /// The first run time strictly after `now`.
    public func nextRun(after now: Int64) -> Int64 {
        let shifted = now - delayMilliseconds
        let floor = shifted >= 0 ? shifted / periodMilliseconds * periodMilliseconds
            : -((-shifted + periodMilliseconds - 1) / periodMilliseconds) * periodMilliseconds
        return floor + periodMilliseconds + delayMilliseconds
    }

    /// Parses `5m`, `1h`, `30s`, `250ms`, `1d` (a bare number is seconds).
    public static func parseDuration(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return Int64((value * scale).rounded())
        }
        guard let seconds = Double(trimmed), seconds >= 0, seconds.isFinite else { return nil }
        return Int64((seconds * 1000).rounded())
    }
}

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
