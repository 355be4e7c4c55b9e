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

extension GapReport: CustomStringConvertible {
    public var description: String {
        guard gaps > 0 else { return "\(symbol) \(timeframe): no gaps" }
        let start = longestStart.map { " from \(UTCTime.format($0))" } ?? ""
        return
            "\(symbol) \(timeframe): \(gaps) gap\(gaps == 1 ? "" : "s"), \(missingBars) missing bar\(missingBars == 1 ? "" : "s"), longest \(longestBars)\(start)"
    }
}
