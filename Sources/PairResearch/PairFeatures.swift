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
        guard betaWindow >= 10 else { throw MarketDataError.invalidArgument("--beta-window must be at least 10 bars (got \(betaWindow))") }
        guard zWindow >= 10 else { throw MarketDataError.invalidArgument("--z-window must be at least 10 bars (got \(zWindow))") }
    }
}

/// Both legs of a pair on their common bars (inner join on open time), oldest first.
public struct PairBars: Sendable, Equatable {
    public var openTimes: [Int64] = []
    public var closeA: [Double] = []
    public var closeB: [Double] = []
    public var volumeA: [Double] = []
    public var volumeB: [Double] = []

    public init() {}

    public init(a: [Bar], b: [Bar]) {
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i].openTime < b[j].openTime { i += 1; continue }
            if a[i].openTime > b[j].openTime { j += 1; continue }
            openTimes.append(a[i].openTime)
            closeA.append(a[i].close)
            closeB.append(b[j].close)
            volumeA.append(a[i].volume)
            volumeB.append(b[j].volume)
            i += 1
            j += 1
        }
    }

    public var count: Int { openTimes.count }

    /// The first `count` bars: what the pair looked like when its last bar was the newest.
    public func prefix(_ count: Int) -> PairBars {
        var copy = PairBars()
        copy.openTimes = Array(openTimes.prefix(count))
        copy.closeA = Array(closeA.prefix(count))
        copy.closeB = Array(closeB.prefix(count))
        copy.volumeA = Array(volumeA.prefix(count))
        copy.volumeB = Array(volumeB.prefix(count))
        return copy
    }
}

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
    public static let featureNames = ["z", "z_velocity", "z_acceleration", "spread_volatility", "half_life",
                                      "beta", "volume_ratio_a", "volume_ratio_b", "beta_long", "z_long"]
    public var values: [Double] { [z, zVelocity, zAcceleration, spreadVolatility, halfLife, beta, volumeRatioA, volumeRatioB, betaLong, zLong] }
}

/// Computes pair features. Results at index t depend only on bars 0…t and on t itself (rolling sums
/// restart at fixed anchors), so computing from any index gives exactly — bit for bit — the rows a
/// full computation gives there, and appending bars never changes earlier rows.
public struct FeatureEngine: Sendable {
    public let parameters: FeatureParameters
    /// Anchor spacing of the rolling sums: rounding never accumulates over more than this many bars.
    public static let block = 512

    public init(parameters: FeatureParameters) { self.parameters = parameters }

    /// Index of the first bar that gets a feature row.
    public var firstRowIndex: Int { parameters.warmUp }

    /// Feature rows for bars with index ≥ `startIndex`.
    public func rows(_ bars: PairBars, from startIndex: Int = 0) -> [FeatureRow] {
        let n = bars.count
        let betaWindow = parameters.betaWindow, zWindow = parameters.zWindow
        let start = max(startIndex, firstRowIndex)
        guard start < n else { return [] }
        let logA = bars.closeA.map { log($0) }
        let logB = bars.closeB.map { log($0) }

        // Spreads exist from index β−1; spread changes (paired with the previous spread) from β.
        let zAnchor = AnchoredRollingMoments(window: zWindow, block: Self.block, firstValid: betaWindow - 1)
        let changeMoments = AnchoredRollingMoments(window: zWindow, block: Self.block, firstValid: betaWindow)

        // Stage 1: β, α and spread, wherever stage 2 will look (back to its earliest anchor's window).
        let earliestNeeded = max(betaWindow - 1, min(zAnchor.anchor(of: start - 2), changeMoments.anchor(of: start)) - zWindow - 1)
        var beta = [Double](repeating: .nan, count: n)
        var alpha = [Double](repeating: .nan, count: n)
        var spread = [Double](repeating: .nan, count: n)
        let betaMoments = AnchoredRollingMoments(window: betaWindow, block: Self.block, firstValid: 0)
        betaMoments.forEach(in: earliestNeeded..<n, x: { logB[$0] }, y: { logA[$0] }) { t, m in
            let variance = m.varianceX
            let b = variance > 0 ? m.covariance / variance : 0
            let a = m.meanY - b * m.meanX
            beta[t] = b
            alpha[t] = a
            spread[t] = logA[t] - (b * logB[t] + a)
        }

        // Stage 2: z-score of the spread, changes of the spread, AR(1) half-life, volumes.
        var z = [Double](repeating: .nan, count: n)
        zAnchor.forEach(in: (start - 2)..<n, x: { spread[$0] }, y: { spread[$0] }) { t, m in
            let sd = m.sampleStandardDeviationY
            z[t] = sd > 0 ? (spread[t] - m.meanY) / sd : 0
        }
        // Pairs (s_{t−1}, Δs_t).
        var spreadVolatility = [Double](repeating: .nan, count: n)
        var halfLives = [Double](repeating: .nan, count: n)
        let cap = Double(10 * zWindow)
        changeMoments.forEach(in: start..<n, x: { spread[$0 - 1] }, y: { spread[$0] - spread[$0 - 1] }) { t, m in
            spreadVolatility[t] = m.sampleStandardDeviationY
            let variance = m.varianceX
            let slope = variance > 0 ? m.covariance / variance : 0
            halfLives[t] = min(halfLife(phi: 1 + slope), cap)
        }
        let logVolumeA = bars.volumeA.map { log1p($0) }
        let logVolumeB = bars.volumeB.map { log1p($0) }
        var volumeRatioA = [Double](repeating: .nan, count: n)
        var volumeRatioB = [Double](repeating: .nan, count: n)
        AnchoredRollingMoments(window: zWindow, block: Self.block, firstValid: 0)
            .forEach(in: start..<n, x: { logVolumeA[$0] }, y: { logVolumeB[$0] }) { t, m in
                volumeRatioA[t] = logVolumeA[t] - m.meanX
                volumeRatioB[t] = logVolumeB[t] - m.meanY
            }

        // Expanding regression: sums from the pair's first bar, always summed in the same order, so
        // every start gives the same values. Shifted by the first bar against cancellation.
        var betaLong = [Double](repeating: .nan, count: n)
        var zLong = [Double](repeating: .nan, count: n)
        var expanding = WindowMoments()
        expanding.shiftX = logB[0]
        expanding.shiftY = logA[0]
        for t in 0..<n {
            expanding.add(logB[t], logA[t])
            guard t >= start else { continue }
            let variance = expanding.varianceX
            let slope = variance > 0 ? expanding.covariance / variance : 0
            let residualVariance = max(expanding.varianceY - slope * expanding.covariance, 0)
            betaLong[t] = slope
            let residual = logA[t] - expanding.meanY - slope * (logB[t] - expanding.meanX)
            zLong[t] = residualVariance > 0 ? residual / residualVariance.squareRoot() : 0
        }

        var rows: [FeatureRow] = []
        rows.reserveCapacity(n - start)
        for t in start..<n {
            let velocity = z[t] - z[t - 1]
            let previousVelocity = z[t - 1] - z[t - 2]
            rows.append(FeatureRow(openTime: bars.openTimes[t], closeA: bars.closeA[t], closeB: bars.closeB[t],
                                   beta: beta[t], alpha: alpha[t], spread: spread[t], z: z[t],
                                   zVelocity: velocity, zAcceleration: velocity - previousVelocity,
                                   spreadVolatility: spreadVolatility[t], halfLife: halfLives[t],
                                   volumeRatioA: volumeRatioA[t], volumeRatioB: volumeRatioB[t],
                                   betaLong: betaLong[t], zLong: zLong[t]))
        }
        return rows
    }
}
