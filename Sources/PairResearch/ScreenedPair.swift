import Foundation
import MarketData
import Basics

/// One tested pair: the Engle–Granger result in the chosen direction, and whether it passed.
public struct ScreenedPair: Codable, Sendable, Equatable {
    public struct Critical: Codable, Sendable, Equatable {
        public var onePercent: Double
        public var fivePercent: Double
        public var tenPercent: Double
        enum CodingKeys: String, CodingKey { case onePercent = "1%", fivePercent = "5%", tenPercent = "10%" }
    }

    /// `<A>__<B>`: ln A regressed on ln B.
    public var pair: String
    public var a: String
    public var b: String
    public var beta: Double?
    public var alpha: Double?
    public var adfStat: Double?
    public var pvalue: Double?
    /// p-value with the legs swapped (B regressed on A); selection needs both to pass.
    public var pvalueReverse: Double?
    public var lags: Int?
    /// Bars; nil when the spread does not revert.
    public var halfLife: Double?
    public var corr: Double?
    public var n: Int
    public var crit: Critical?
    public var selected: Bool
    /// Why a pair was not selected.
    public var reason: String?

    /// The larger of the two directions' p-values: what selection and ranking use.
    public var worstPValue: Double { max(pvalue ?? 1, pvalueReverse ?? 1) }
}
