import Foundation
import GRDB
import MarketData
import Basics
import Store

/// What the classifier learns to predict. All three look `horizon` bars ahead at the spread of a
/// position opened at bar t: s^t_{t+h} = ln A_{t+h} − β_t·ln B_{t+h} − α_t (hedge ratio and intercept
/// frozen at t, so nothing estimated after t enters the label's definition), with forward move
/// r = s^t_{t+h} − s_t. "Toward the mean" means against the sign of z_t: sign(z_t)·r < 0.
public enum LabelType: String, Codable, Sendable, CaseIterable {
    /// Defined only where the spread is stretched (|z_t| ≥ threshold): 1 when it moves toward the
    /// mean over the horizon, else 0. Unstretched bars have no label (nothing to trade there), so the
    /// classifier learns reversion itself rather than the stretch it can already see in z.
    case zThreshold = "z_threshold"
    /// 1 when the spread moves toward the mean over the horizon (sign(z_t)·r < 0), else 0.
    case revertDirection = "revert_direction"
    /// 1 when the spread moves toward the mean by more than τ = k·σ̂_t·√h, with σ̂_t the spread
    /// volatility (sd of bar-to-bar spread changes over the z window) at t; else 0.
    case volScaled = "vol_scaled"
    /// Defined only on stretched bars: 1 when the trade the strategy would take there pays after
    /// fees. The position −sign(z_t) is held until z crosses zero or `horizon` bars pass, earning
    /// each bar's spread move over (1 + |β|) as the backtest does, minus the fee on entry and exit.
    /// This is what the model is for: which stretches revert far enough to beat the costs.
    case tradeOutcome = "trade_outcome"
}

public struct DatasetDefinition: Codable, Sendable, Equatable {
    public var timeframe: Timeframe = .m5
    public var labelType: LabelType = .zThreshold
    public var zscoreThreshold = 1.2
    /// Bars ahead the label looks (trade_outcome: the longest hold). Eight hours of 5m bars: of the
    /// order of the half-lives of spreads worth trading, so the label measures reversion, not
    /// bar-to-bar noise (at 3 bars even the true spread's direction is a coin flip, AUC ≈ 0.53).
    public var horizon = 96
    public var lagFeatures = 10
    /// k of the vol_scaled threshold.
    public var volK = 0.5
    /// Fee per unit of notional per leg that a trade_outcome label charges on entry and on exit.
    public var feeRate = 0.0005
    /// The windows the feature rows were computed with: part of the dataset's identity, so a model
    /// can only be deployed with the features it was trained on. Set by `DatasetStage` from the store.
    public var features = FeatureParameters()

    public init() {}

    enum CodingKeys: String, CodingKey { case timeframe, labelType, zscoreThreshold, horizon, lagFeatures, volK, feeRate, features }

    /// Smallest |z| at which a model trained on this dataset may trade: labels defined on stretched
    /// bars only say nothing about the others.
    public var entryZ: Double {
        switch labelType {
        case .zThreshold, .tradeOutcome: zscoreThreshold
        case .revertDirection, .volScaled: 0
        }
    }

    /// Definitions stored before a field existed decode with that field's default.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DatasetDefinition()
        timeframe = try container.decodeIfPresent(Timeframe.self, forKey: .timeframe) ?? defaults.timeframe
        labelType = try container.decodeIfPresent(LabelType.self, forKey: .labelType) ?? defaults.labelType
        zscoreThreshold = try container.decodeIfPresent(Double.self, forKey: .zscoreThreshold) ?? defaults.zscoreThreshold
        horizon = try container.decodeIfPresent(Int.self, forKey: .horizon) ?? defaults.horizon
        lagFeatures = try container.decodeIfPresent(Int.self, forKey: .lagFeatures) ?? defaults.lagFeatures
        volK = try container.decodeIfPresent(Double.self, forKey: .volK) ?? defaults.volK
        feeRate = try container.decodeIfPresent(Double.self, forKey: .feeRate) ?? defaults.feeRate
        features = try container.decodeIfPresent(FeatureParameters.self, forKey: .features) ?? defaults.features
    }

    public func validate() throws {
        func fail(_ text: String) -> MarketDataError { .invalidArgument(text) }
        guard horizon >= 1, horizon <= 10_000 else { throw fail("--horizon must be between 1 and 10000 bars (got \(horizon))") }
        guard lagFeatures >= 0, lagFeatures <= 200 else { throw fail("--lag-features must be between 0 and 200 (got \(lagFeatures))") }
        guard zscoreThreshold > 0, zscoreThreshold.isFinite else { throw fail("--zscore-threshold must be positive (got \(zscoreThreshold))") }
        guard volK >= 0, volK.isFinite else { throw fail("--vol-k must not be negative (got \(volK))") }
        guard feeRate >= 0, feeRate < 0.1 else { throw fail("--fee-rate must be in [0, 0.1) (got \(feeRate))") }
    }

    /// Features that get lagged copies.
    public static let laggedFeatures = ["z", "z_velocity"]

    /// Inputs computed from the row's own features: how stretched the spread is, and whether the
    /// long-run spread (expanding β) is stretched the same way — a stretch that both agree on is
    /// more likely a real deviation than an artefact of the rolling window.
    public static let alignedFeatures = ["abs_z", "z_long_aligned"]

    /// Model input columns, in order: the row's own features, the aligned ones, then lags 1…L of
    /// each lagged feature.
    public var featureNames: [String] {
        let own = FeatureRow.featureNames + Self.alignedFeatures
        guard lagFeatures > 0 else { return own }
        return own + Self.laggedFeatures.flatMap { name in (1...lagFeatures).map { "\(name)_lag\($0)" } }
    }

    var identifier: String {
        var hash = FNV1a()
        hash.add((try? ProjectJSON.string(self)) ?? "")
        return hash.hex
    }
}

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
                let outcome = abs(row.z) >= definition.zscoreThreshold && row.z != 0
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

public struct DatasetSummary: Sendable, Equatable {
    public var datasetId: String
    public var pairs: Int
    public var rows: Int
    public var labelledRows: Int
    public var positiveRate: Double?
    public var perPair: [(pair: String, rows: Int, labelled: Int, positives: Int)]

    public static func == (lhs: DatasetSummary, rhs: DatasetSummary) -> Bool {
        lhs.datasetId == rhs.datasetId && lhs.rows == rhs.rows && lhs.labelledRows == rhs.labelledRows
    }
}

/// `mntrading dataset`: labels every pair that has features and records the dataset (definition,
/// per-row labels and forward moves) in the store. The inputs themselves are rebuilt from the
/// features table when needed, so a dataset costs no second copy of the features. Rebuilding the
/// same definition replaces its rows: no duplicates.
public struct DatasetStage: Sendable {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    /// `screeningRun`: the screen the pairs come from (nil: a pairs file, screen unknown).
    public func build(_ definition: DatasetDefinition, pairs: [PairID], screeningRun: String?,
                      now: Int64 = UTCTime.nowMilliseconds()) throws -> DatasetSummary {
        try definition.validate()
        var definition = definition
        definition.features = try featureParameters(pairs: pairs, timeframe: definition.timeframe)
        let id = definition.identifier
        var summary = DatasetSummary(datasetId: id, pairs: 0, rows: 0, labelledRows: 0, positiveRate: nil, perPair: [])
        var datasets: [PairDataset] = []
        for pair in pairs {
            let rows = try store.featureRows(pair: pair.text, timeframe: definition.timeframe)
            let dataset = PairDataset(pair: pair.text, rows: rows, definition: definition)
            guard dataset.count > 0 else { continue }
            datasets.append(dataset)
        }
        guard !datasets.isEmpty else {
            throw MarketDataError.invalidArgument("no \(definition.timeframe) features for the selected pairs; run `mntrading features` first")
        }
        var positives = 0
        try store.write { db in
            try db.execute(sql: "DELETE FROM dataset_rows WHERE dataset_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM datasets WHERE id = ?", arguments: [id])
            // The record first (rows reference it), its totals once the rows are in.
            try db.execute(sql: """
                INSERT INTO datasets (id, created_at, timeframe, parameters, pairs, rows, labelled_rows, positive_rate, screening_run_id)
                VALUES (?, ?, ?, ?, 0, 0, 0, NULL, ?)
                """, arguments: [id, now, definition.timeframe.rawValue, try ProjectJSON.string(definition), screeningRun])
            let statement = try db.cachedStatement(sql: """
                INSERT INTO dataset_rows (dataset_id, pair, open_time, label, forward_move) VALUES (?, ?, ?, ?, ?)
                """)
            for dataset in datasets {
                var pairPositives = 0
                for index in 0..<dataset.count {
                    try statement.execute(arguments: [id, dataset.pair, dataset.openTimes[index], dataset.labels[index], dataset.forwardMoves[index]])
                    pairPositives += dataset.labels[index] ?? 0
                }
                positives += pairPositives
                summary.perPair.append((dataset.pair, dataset.count, dataset.labelledCount, pairPositives))
                summary.rows += dataset.count
                summary.labelledRows += dataset.labelledCount
            }
            summary.pairs = datasets.count
            summary.positiveRate = summary.labelledRows > 0 ? Double(positives) / Double(summary.labelledRows) : nil
            try db.execute(sql: "UPDATE datasets SET pairs = ?, rows = ?, labelled_rows = ?, positive_rate = ? WHERE id = ?",
                           arguments: [summary.pairs, summary.rows, summary.labelledRows, summary.positiveRate, id])
        }
        return summary
    }

    /// The one set of windows every pair's features were computed with.
    func featureParameters(pairs: [PairID], timeframe: Timeframe) throws -> FeatureParameters {
        let stored = try store.read { db in try FeatureStage.storedParameters(pairs: pairs.map(\.text), timeframe: timeframe, in: db) }
        guard let first = stored.values.first else {
            throw MarketDataError.invalidArgument("no \(timeframe) features for the selected pairs; run `mntrading features` first")
        }
        guard stored.values.allSatisfy({ $0 == first }) else {
            let listing = stored.sorted { $0.key < $1.key }.map { "\($0.key): β window \($0.value.betaWindow), z window \($0.value.zWindow)" }
            throw MarketDataError.invalidArgument("the pairs' features were computed with different windows (\(listing.joined(separator: "; "))); rerun `mntrading features` for all of them with one --beta-window and --z-window")
        }
        return first
    }
}
