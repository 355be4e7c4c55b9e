import Foundation
import GRDB
import MarketData
import Basics
import Store

/// The supervised view of one pair: inputs, label (nil for the last `horizon` bars, whose future is
/// not known yet), and the forward move, per bar.
public struct PairDataset: Sendable {
    public var pair: String
    public var featureNames: [String]
    public var openTimes: [Int64] = []
    /// Row-major, `featureNames.count` values per row.
    public var features: [Double] = []
    /// nil where the future is not known yet, or where the label type does not define one.
    public var labels: [Int?] = []
    public var forwardMoves: [Double?] = []
    /// The spread's z at each row (the signal direction follows its sign).
    public var z: [Double] = []
    /// β_t: the hedge ratio a position opened at the row uses.
    public var beta: [Double] = []
    /// Each leg's log move from this bar's close to the next bar's (a position held over that bar
    /// earns Δln A − β·Δln B with the β it was opened with); nil for the newest row.
    public var nextMovesA: [Double?] = []
    public var nextMovesB: [Double?] = []

    public var count: Int { openTimes.count }
    public var labelledCount: Int { labels.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Builds rows from consecutive feature rows. Row t uses feature rows t−L…t (lags) for its inputs
    /// and row t+h only for its label; rows without a full set of lags are left out.
    public init(pair: String, rows: [FeatureRow], definition: DatasetDefinition) {
        self.pair = pair
        featureNames = definition.featureNames
        let lags = definition.lagFeatures
        let horizon = definition.horizon
        guard rows.count > lags else { return }
        for t in lags..<rows.count {
            let row = rows[t]
            openTimes.append(row.openTime)
            features.append(contentsOf: row.values)
            features.append(abs(row.z))
            features.append(row.z == 0 ? 0 : (row.z > 0 ? row.zLong : -row.zLong))
            if lags > 0 {
                for l in 1...lags { features.append(rows[t - l].z) }
                for l in 1...lags { features.append(rows[t - l].zVelocity) }
            }
            z.append(row.z)
            beta.append(row.beta)
            if t + 1 < rows.count {
                let next = rows[t + 1]
                nextMovesA.append(log(next.closeA / row.closeA))
                nextMovesB.append(log(next.closeB / row.closeB))
            } else {
                nextMovesA.append(nil)
                nextMovesB.append(nil)
            }
            if definition.labelType == .tradeOutcome {
                let outcome =
                    abs(row.z) >= definition.zscoreThreshold && row.z != 0
                    ? Self.tradeOutcome(rows: rows, entry: t, horizon: horizon, feeRate: definition.feeRate) : nil
                labels.append(outcome.map { $0 > 0 ? 1 : 0 })
                forwardMoves.append(outcome)
                continue
            }
            guard t + horizon < rows.count else {
                labels.append(nil)
                forwardMoves.append(nil)
                continue
            }
            let future = rows[t + horizon]
            let frozenSpread = log(future.closeA) - row.beta * log(future.closeB) - row.alpha
            let move = frozenSpread - row.spread
            let side: Double = row.z >= 0 ? 1 : -1
            let towardMean = side * move < 0
            let label: Int
            switch definition.labelType {
            case .zThreshold:
                guard abs(row.z) >= definition.zscoreThreshold else {
                    labels.append(nil)
                    forwardMoves.append(move)
                    continue
                }
                label = towardMean ? 1 : 0
            case .revertDirection:
                label = towardMean ? 1 : 0
            case .volScaled:
                let tau = definition.volK * row.spreadVolatility * Double(horizon).squareRoot()
                label = -side * move > tau ? 1 : 0
            case .tradeOutcome:
                preconditionFailure("handled above")
            }
            labels.append(label)
            forwardMoves.append(move)
        }
    }

    /// Net return on capital of the hold-to-mean trade entered at `entry` against the stretch:
    /// per bar p·(Δln A − β_j·Δln B)/(1 + |β_j|) as `Backtest` books it, exit when z crosses zero
    /// or after `horizon` bars, two fee charges (entry, exit). nil when the data ends before the
    /// trade does, so the label is never guessed.
    static func tradeOutcome(rows: [FeatureRow], entry t: Int, horizon: Int, feeRate: Double) -> Double? {
        let position: Double = rows[t].z > 0 ? -1 : 1
        var pnl = 0.0
        var j = t
        while true {
            guard j + 1 < rows.count else { return nil }
            let (now, next) = (rows[j], rows[j + 1])
            let move = log(next.closeA / now.closeA) - now.beta * log(next.closeB / now.closeB)
            pnl += position * move / (1 + abs(now.beta))
            j += 1
            if next.z * rows[t].z <= 0 || j - t >= horizon { break }
        }
        return pnl - 2 * feeRate
    }
}
