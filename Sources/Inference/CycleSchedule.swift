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
        let floor =
            shifted >= 0
            ? shifted / periodMilliseconds * periodMilliseconds
            : -((-shifted + periodMilliseconds - 1) / periodMilliseconds) * periodMilliseconds
        return floor + periodMilliseconds + delayMilliseconds
    }

    /// The longest period or delay taken: a year, so that a schedule's arithmetic on epoch
    /// milliseconds cannot overflow whatever is typed.
    public static let longestMilliseconds: Int64 = 366 * 86_400_000

    /// Parses `5m`, `1h`, `30s`, `250ms`, `1d` (a bare number is seconds); nil for anything else,
    /// negative, or longer than `longestMilliseconds`.
    public static func parseDuration(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        let (number, scale) =
            units.first { trimmed.hasSuffix($0.0) }.map { (String(trimmed.dropLast($0.0.count)), $0.1) } ?? (
                trimmed, 1000
            )
        guard let value = Double(number), value >= 0, value * scale <= Double(longestMilliseconds) else { return nil }
        return Int64((value * scale).rounded())
    }
}
