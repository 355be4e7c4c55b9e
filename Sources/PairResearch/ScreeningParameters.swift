import Foundation
import MarketData
import Basics

public struct ScreeningParameters: Codable, Sendable, Equatable {
    public var timeframe: Timeframe = .h1
    public var minSamples = 200
    public var corrMin = 0.3
    public var pvalueMax = 0.05
    /// In bars of `timeframe`; nil keeps every reverting pair.
    public var halfLifeMax: Double?
    public var topK = 50
    public var maxLag: Int?
    public var lagSelection: LagSelection = .aic
    public var since: Int64?
    public var until: Int64?
    /// The symbols to pair up; nil: every symbol with bars at `timeframe` in the store.
    public var symbols: [String]?

    public init() {}

    /// The defaults, keeping at most `topK` pairs.
    public init(topK: Int) { self.topK = topK }

    public func validate() throws {
        guard minSamples >= 20 else { throw SettingError("min_samples", "must be at least 20 (got \(minSamples))") }
        guard (-1...1).contains(corrMin) else {
            throw SettingError("corr_min", "must be between -1 and 1 (got \(corrMin))")
        }
        guard pvalueMax > 0, pvalueMax <= 1 else {
            throw SettingError("pvalue_max", "must be in (0, 1] (got \(pvalueMax))")
        }
        if let halfLifeMax {
            guard halfLifeMax > 0 else { throw SettingError("half_life_max", "must be positive (got \(halfLifeMax))") }
        }
        guard topK >= 1 else { throw SettingError("top_k", "must be at least 1 (got \(topK))") }
        if let maxLag { guard maxLag >= 0 else { throw SettingError("max_lag", "must not be negative") } }
        if let symbols {
            guard Set(symbols).count >= 2 else {
                throw SettingError("symbols", "needs at least two different symbols to pair")
            }
        }
    }
}
