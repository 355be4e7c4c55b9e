import Foundation

/// Missing bars in one stored series, between its first and last bar.
public struct GapReport: Sendable, Equatable, Codable {
    public var symbol: String
    public var timeframe: String
    /// Number of runs of missing bars.
    public var gaps: Int
    public var missingBars: Int
    /// Length of the longest run, in bars, and where it starts.
    public var longestBars: Int
    public var longestStart: Int64?

    public var isEmpty: Bool { gaps == 0 }
}

public enum Gaps {
    /// Finds runs of missing bars in sorted, de-duplicated open times.
    public static func report(symbol: String, timeframe: Timeframe, openTimes: [Int64]) -> GapReport {
        report(symbol: symbol, timeframe: timeframe, neighbours: zip(openTimes, openTimes.dropFirst()).map { ($0, $1) })
    }

    /// The same from pairs of neighbouring open times (pairs without a gap are ignored).
    static func report(symbol: String, timeframe: Timeframe, neighbours: [(Int64, Int64)]) -> GapReport {
        var report = GapReport(symbol: symbol, timeframe: timeframe.rawValue, gaps: 0, missingBars: 0, longestBars: 0, longestStart: nil)
        let step = timeframe.milliseconds
        for (previous, next) in neighbours where next - previous > step {
            let missing = Int((next - previous) / step) - 1
            report.gaps += 1
            report.missingBars += missing
            if missing > report.longestBars {
                report.longestBars = missing
                report.longestStart = previous + step
            }
        }
        return report
    }

    /// Bars that fill every gap in sorted bars: each repeats the previous close as open, high, low
    /// and close, with zero volume, and is marked as filled.
    public static func fillers(for bars: [Bar], timeframe: Timeframe) -> [Bar] {
        let step = timeframe.milliseconds
        var fillers: [Bar] = []
        for (previous, next) in zip(bars, bars.dropFirst()) where next.openTime - previous.openTime > step {
            var time = previous.openTime + step
            while time < next.openTime {
                fillers.append(Bar(openTime: time, open: previous.close, high: previous.close, low: previous.close,
                                   close: previous.close, volume: 0, isFilled: true))
                time += step
            }
        }
        return fillers
    }
}

extension GapReport: CustomStringConvertible {
    public var description: String {
        guard gaps > 0 else { return "\(symbol) \(timeframe): no gaps" }
        let start = longestStart.map { " from \(UTCTime.format($0))" } ?? ""
        return "\(symbol) \(timeframe): \(gaps) gap\(gaps == 1 ? "" : "s"), \(missingBars) missing bar\(missingBars == 1 ? "" : "s"), longest \(longestBars)\(start)"
    }
}
