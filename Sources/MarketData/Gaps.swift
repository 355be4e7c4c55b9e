import Foundation

public enum Gaps {
    /// Finds runs of missing bars in sorted, de-duplicated open times.
    public static func report(symbol: String, timeframe: Timeframe, openTimes: [Int64]) -> GapReport {
        report(symbol: symbol, timeframe: timeframe, neighbours: zip(openTimes, openTimes.dropFirst()).map { ($0, $1) })
    }

    /// The same from pairs of neighbouring open times (pairs without a gap are ignored).
    static func report(symbol: String, timeframe: Timeframe, neighbours: [(Int64, Int64)]) -> GapReport {
        var report = GapReport(
            symbol: symbol, timeframe: timeframe.rawValue, gaps: 0, missingBars: 0, longestBars: 0, longestStart: nil)
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
                fillers.append(
                    Bar(
                        openTime: time, open: previous.close, high: previous.close, low: previous.close,
                        close: previous.close, volume: 0, isFilled: true))
                time += step
            }
        }
        return fillers
    }
}
