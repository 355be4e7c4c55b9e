import Foundation
import GRDB
import MarketData
import Basics
import Store

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

    enum CodingKeys: String, CodingKey {
        case timeframe, labelType, zscoreThreshold, horizon, lagFeatures, volK, feeRate, features
    }

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
        zscoreThreshold =
            try container.decodeIfPresent(Double.self, forKey: .zscoreThreshold) ?? defaults.zscoreThreshold
        horizon = try container.decodeIfPresent(Int.self, forKey: .horizon) ?? defaults.horizon
        lagFeatures = try container.decodeIfPresent(Int.self, forKey: .lagFeatures) ?? defaults.lagFeatures
        volK = try container.decodeIfPresent(Double.self, forKey: .volK) ?? defaults.volK
        feeRate = try container.decodeIfPresent(Double.self, forKey: .feeRate) ?? defaults.feeRate
        features = try container.decodeIfPresent(FeatureParameters.self, forKey: .features) ?? defaults.features
    }

    public func validate() throws {
        guard horizon >= 1, horizon <= 10_000 else {
            throw SettingError("horizon", "must be between 1 and 10000 bars (got \(horizon))")
        }
        guard lagFeatures >= 0, lagFeatures <= 200 else {
            throw SettingError("lag_features", "must be between 0 and 200 (got \(lagFeatures))")
        }
        guard zscoreThreshold > 0, zscoreThreshold.isFinite else {
            throw SettingError("zscore_threshold", "must be positive (got \(zscoreThreshold))")
        }
        guard volK >= 0, volK.isFinite else { throw SettingError("vol_k", "must not be negative (got \(volK))") }
        guard feeRate >= 0, feeRate <= 0.1 else {
            throw SettingError("fee_rate", "must be in [0, 0.1] (got \(feeRate))")
        }
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
