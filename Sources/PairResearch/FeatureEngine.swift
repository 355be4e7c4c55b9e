import Foundation
import MarketData

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
        let earliestNeeded = max(
            betaWindow - 1, min(zAnchor.anchor(of: start - 2), changeMoments.anchor(of: start)) - zWindow - 1)
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
            rows.append(
                FeatureRow(
                    openTime: bars.openTimes[t], closeA: bars.closeA[t], closeB: bars.closeB[t],
                    beta: beta[t], alpha: alpha[t], spread: spread[t], z: z[t],
                    zVelocity: velocity, zAcceleration: velocity - previousVelocity,
                    spreadVolatility: spreadVolatility[t], halfLife: halfLives[t],
                    volumeRatioA: volumeRatioA[t], volumeRatioB: volumeRatioB[t],
                    betaLong: betaLong[t], zLong: zLong[t]))
        }
        return rows
    }
}
