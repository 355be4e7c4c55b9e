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
