import Basics
import Foundation

/// `router.json`: everything a scorer needs besides the member files. Format version 1.
public struct RouterManifest: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public struct FeatureParameters: Codable, Sendable, Equatable {
        public var timeframe: String
        public var betaWindow: Int
        public var zWindow: Int
        public var lagFeatures: Int
        public var labelType: String
        public var zscoreThreshold: Double
        public var horizon: Int

        public init(
            timeframe: String, betaWindow: Int, zWindow: Int, lagFeatures: Int, labelType: String,
            zscoreThreshold: Double, horizon: Int
        ) {
            self.timeframe = timeframe
            self.betaWindow = betaWindow
            self.zWindow = zWindow
            self.lagFeatures = lagFeatures
            self.labelType = labelType
            self.zscoreThreshold = zscoreThreshold
            self.horizon = horizon
        }
    }

    public struct Member: Codable, Sendable, Equatable {
        /// `<A>__<B>`.
        public var pair: String
        public var legs: [String]
        /// gbdt, rf or logistic.
        public var kind: String
        /// Relative to the version directory: `members/<pair>.onnx`.
        public var file: String
        public var calibration: Calibration
        /// Calibrated probability at or above which the member signals.
        public var threshold: Double
        /// First and last training bar, ISO-8601 UTC.
        public var trainingWindow: [String]
        /// Out-of-fold and holdout figures from training (Sharpe, trades, Deflated Sharpe, …).
        public var metrics: [String: Double]
        /// Smallest |z| at which the member signals (its label's stretch); nil in older versions: 0.
        public var entryZ: Double?

        public init(
            pair: String, legs: [String], kind: String, file: String, calibration: Calibration, threshold: Double,
            trainingWindow: [String], metrics: [String: Double]
        ) {
            self.pair = pair
            self.legs = legs
            self.kind = kind
            self.file = file
            self.calibration = calibration
            self.threshold = threshold
            self.trainingWindow = trainingWindow
            self.metrics = metrics
        }

        /// The member's signal, as training backtested it: against the stretch (−sign z) when the
        /// calibrated probability reaches the threshold on a bar stretched at least `entryZ`.
        public func signal(proba: Double, z: Double) -> Int {
            guard proba >= threshold, z.isFinite, z != 0, abs(z) >= (entryZ ?? 0) else { return 0 }
            return z > 0 ? -1 : 1
        }
    }

    public var formatVersion: Int
    public var name: String
    public var version: Int
    public var createdAt: String
    public var codeVersion: String
    public var trainingRun: String
    /// Model input columns in order (after `pair`).
    public var featureColumns: [String]
    public var featureParameters: FeatureParameters
    /// How training assumed signals are filled and what fills cost; the client's orders say the same.
    /// nil in versions built before it was recorded.
    public var execution: Execution?
    /// false: the members were selected without guardrails (or on in-sample figures).
    public var guardrails: Bool?
    /// Candidate × pair combinations the training run tried, and its probability of backtest overfitting.
    public var trials: Int?
    public var pbo: Double?
    public var members: [Member]

    public init(
        name: String, version: Int, createdAt: String, codeVersion: String, trainingRun: String,
        featureColumns: [String], featureParameters: FeatureParameters, members: [Member]
    ) {
        formatVersion = Self.currentFormatVersion
        self.name = name
        self.version = version
        self.createdAt = createdAt
        self.codeVersion = codeVersion
        self.trainingRun = trainingRun
        self.featureColumns = featureColumns
        self.featureParameters = featureParameters
        self.members = members
    }
}
