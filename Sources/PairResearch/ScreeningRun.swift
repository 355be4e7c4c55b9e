import Foundation
import MarketData
import Basics

public struct ScreeningRun: Codable, Sendable, Equatable {
    public var runId: String
    public var createdAt: String
    public var timeframe: String
    public var parameters: ScreeningParameters
    public var symbols: [String]
    public var pairsTested: Int
    /// Selected pairs, best (smallest p-value) first.
    public var pairs: [ScreenedPair]
    public var rejected: [ScreenedPair]
    /// First bar's open and last bar's close of the bars screened (ms): the later stages' scored
    /// periods must start after it.
    public var window: [Int64]?
    public var windowText: [String]?
    /// How many pairs each rule removed.
    public var rejectedBy: [String: Int]?

    /// Rejections counted by the rule that made them.
    public static func tally(_ rejected: [ScreenedPair]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for pair in rejected { counts[rule(of: pair.reason ?? ""), default: 0] += 1 }
        return counts
    }

    static func rule(of reason: String) -> String {
        let rules = [
            ("outside the top", "--top-k"), ("does not revert", "no finite half-life"),
            ("correlation of returns", "--corr-min"),
            ("p-value", "--pvalue-max"), ("half-life", "--half-life-max"), ("too few common bars", "--min-samples")
        ]
        return rules.first { reason.hasPrefix($0.0) || reason.contains($0.0) }?.1 ?? reason
    }

    /// "12 by --pvalue-max, 3 by --corr-min", largest first.
    public var rejectionSummary: String {
        (rejectedBy ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) by \($0.key)" }
            .joined(separator: ", ")
    }
}
