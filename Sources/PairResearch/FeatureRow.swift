import Foundation
import MarketData

/// One row of pair features at one bar. Every value uses bars at or before `openTime` only.
public struct FeatureRow: Sendable, Equatable, Codable {
    public var openTime: Int64
    public var closeA: Double
    public var closeB: Double
    /// Rolling OLS of ln A on ln B over the β window (Cov/Var) and its intercept.
    public var beta: Double
    public var alpha: Double
    /// ln A − (β·ln B + α) with this bar's β and α.
    public var spread: Double
    /// (spread − mean) / sample sd over the z window of spreads.
    public var z: Double
    /// z_t − z_{t−1} and its own change.
    public var zVelocity: Double
    public var zAcceleration: Double
    /// Sample sd of the spread's bar-to-bar changes over the z window.
    public var spreadVolatility: Double
    /// Bars, from the AR(1) of the spread over the z window; capped at 10 z windows when not reverting.
    public var halfLife: Double
    /// ln(1 + volume) minus its mean over the z window, per leg.
    public var volumeRatioA: Double
    public var volumeRatioB: Double
    /// OLS of ln A on ln B over every bar from the pair's first to this one: a slow, low-noise hedge
    /// ratio next to the rolling one.
    public var betaLong: Double
    /// This bar's residual from that expanding regression, in units of its residual sd.
    public var zLong: Double

    /// Names of the model inputs this row provides, in the order `values` lists them.
    public static let featureNames = [
        "z", "z_velocity", "z_acceleration", "spread_volatility", "half_life",
        "beta", "volume_ratio_a", "volume_ratio_b", "beta_long", "z_long"
    ]
    public var values: [Double] {
        [z, zVelocity, zAcceleration, spreadVolatility, halfLife, beta, volumeRatioA, volumeRatioB, betaLong, zLong]
    }
}
