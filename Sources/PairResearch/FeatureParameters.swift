import Basics
import Foundation
import MarketData

/// Windows of the pair features. Defaults as the origin project (`--beta-window 1000 --z-window 300`).
public struct FeatureParameters: Codable, Sendable, Equatable {
    public var betaWindow: Int
    public var zWindow: Int

    /// Defaults for 5m bars: both windows 30 days. A hedge ratio estimated over a few days is mostly
    /// noise, and its error leaks the legs' random walks into the spread; a z window of a few
    /// half-lives lets the rolling mean chase the spread and eat the reversion it should measure.
    public init(betaWindow: Int = 8640, zWindow: Int = 8640) {
        self.betaWindow = betaWindow
        self.zWindow = zWindow
    }

    /// Bars of history before the first feature row: β window, z window, two bars for z acceleration.
    public var warmUp: Int { betaWindow + zWindow }

    public func validate() throws {
        try SettingError.check(betaWindow >= 10, "beta_window", "must be at least 10 bars (got \(betaWindow))")
        try SettingError.check(zWindow >= 10, "z_window", "must be at least 10 bars (got \(zWindow))")
    }
}
