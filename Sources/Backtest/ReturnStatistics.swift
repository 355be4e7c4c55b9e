import Foundation

/// Moments of a per-bar return series, as the Sharpe-ratio statistics need them.
public struct ReturnStatistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation.
    public var standardDeviation: Double
    /// Per-bar Sharpe ratio (not annualised); 0 without variation.
    public var sharpe: Double
    public var skewness: Double
    /// Non-excess kurtosis: 3 for normal returns.
    public var kurtosis: Double

    public init(_ returns: [Double]) {
        count = returns.count
        let n = Double(max(count, 1))
        mean = returns.reduce(0, +) / n
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for r in returns {
            let d = r - mean
            m2 += d * d
            m3 += d * d * d
            m4 += d * d * d * d
        }
        standardDeviation = count > 1 ? (m2 / Double(count - 1)).squareRoot() : 0
        sharpe = standardDeviation > 0 ? mean / standardDeviation : 0
        let variance = m2 / n
        skewness = variance > 0 ? (m3 / n) / pow(variance, 1.5) : 0
        kurtosis = variance > 0 ? (m4 / n) / (variance * variance) : 3
    }
}
