import Foundation
import Basics

/// What `GET /metadata` says about the served model: the server writes it from the router's
/// manifest, the inference client learns the pairs, feature columns and feature parameters from
/// it, and the report shows it. One type for both ends, so they cannot drift apart. Snake_case JSON;
/// unknown keys are ignored and most fields are optional, so other versions stay readable.
public struct ModelMetadata: Codable, Sendable, Equatable {
    /// Out-of-fold figures from training (the manifest's metrics), typed so readers need not know
    /// the stored names.
    public struct Metrics: Codable, Sendable, Equatable {
        public var oofRocAuc: Double?
        public var oofPrAuc: Double?
        public var oofBrier: Double?
        public var oofLogLoss: Double?
        /// Out of fold, after costs.
        public var sharpe: Double?
        public var maxDrawdown: Double?
        public var cumulativeReturn: Double?
        public var oofTrades: Double?
        public var deflatedSharpe: Double?
        /// The holdout: bars no choice saw, after costs.
        public var holdoutSharpe: Double?
        public var holdoutReturn: Double?
        public var holdoutTrades: Double?
        /// The screen's Engle–Granger p-value (in sample: it chose the pair on those bars).
        public var screenPvalue: Double?
        /// What the out-of-fold trades promise, which the paper ledger tests live trades against
        /// (absent from versions built before it).
        public var tradeExpectation: TradeExpectation?

        public init(
            oofRocAuc: Double? = nil, oofPrAuc: Double? = nil, oofBrier: Double? = nil, oofLogLoss: Double? = nil,
            sharpe: Double? = nil, maxDrawdown: Double? = nil, cumulativeReturn: Double? = nil
        ) {
            self.oofRocAuc = oofRocAuc
            self.oofPrAuc = oofPrAuc
            self.oofBrier = oofBrier
            self.oofLogLoss = oofLogLoss
            self.sharpe = sharpe
            self.maxDrawdown = maxDrawdown
            self.cumulativeReturn = cumulativeReturn
        }

        /// The manifest's metrics by their stored names; non-finite values are left out (JSON has none).
        init(_ stored: [String: Double]) {
            func value(_ key: String) -> Double? { stored[key].flatMap { $0.isFinite ? $0 : nil } }
            self.init(
                oofRocAuc: value("oof_roc_auc"), oofPrAuc: value("oof_pr_auc"), oofBrier: value("oof_brier"),
                oofLogLoss: value("oof_log_loss"), sharpe: value("sharpe"), maxDrawdown: value("max_drawdown"),
                cumulativeReturn: value("cumulative_return"))
            oofTrades = value("oof_trades")
            deflatedSharpe = value("deflated_sharpe")
            holdoutSharpe = value("holdout_sharpe")
            holdoutReturn = value("holdout_return")
            holdoutTrades = value("holdout_trades")
            screenPvalue = value("screen_pvalue")
            tradeExpectation = TradeExpectation(metrics: stored)
        }
    }

    public struct Member: Codable, Sendable, Equatable {
        public var pair: String
        public var legs: [String]
        public var threshold: Double
        /// The |z| below which the member signals nothing (absent from older servers).
        public var entryZ: Double?
        public var kind: String
        /// First and last training bar, ISO-8601 UTC (absent from older servers).
        public var trainingWindow: [String]?
        public var metrics: Metrics?

        public init(
            pair: String, legs: [String], threshold: Double, entryZ: Double? = nil, kind: String,
            trainingWindow: [String]? = nil,
            metrics: Metrics? = nil
        ) {
            self.pair = pair
            self.legs = legs
            self.threshold = threshold
            self.entryZ = entryZ
            self.kind = kind
            self.trainingWindow = trainingWindow
            self.metrics = metrics
        }
    }

    /// The request columns and the answer's fields.
    public struct Signature: Codable, Sendable, Equatable {
        public var inputs: [String]
        public var outputs: [String]
    }

    public var name: String
    public var version: Int
    public var modelUri: String?
    public var formatVersion: Int?
    public var createdAt: String?
    public var trainingRun: String?
    public var featureColumns: [String]
    public var featureParameters: RouterManifest.FeatureParameters
    public var pairs: [Member]
    public var signature: Signature?
    /// How training assumed signals fill and what fills cost: what the orders should be read against.
    public var execution: Execution?
    /// false: selected without guardrails.
    public var guardrails: Bool?
    /// Candidate × pair combinations the training run tried, and its probability of backtest overfitting.
    public var trials: Int?
    public var pbo: Double?

    public init(
        name: String, version: Int, modelUri: String? = nil, formatVersion: Int? = nil, createdAt: String? = nil,
        trainingRun: String? = nil, featureColumns: [String], featureParameters: RouterManifest.FeatureParameters,
        pairs: [Member], signature: Signature? = nil
    ) {
        self.name = name
        self.version = version
        self.modelUri = modelUri
        self.formatVersion = formatVersion
        self.createdAt = createdAt
        self.trainingRun = trainingRun
        self.featureColumns = featureColumns
        self.featureParameters = featureParameters
        self.pairs = pairs
        self.signature = signature
    }

    /// What the server says about the router it serves under `modelURI`.
    public init(manifest: RouterManifest, modelURI: String) {
        self.init(
            name: manifest.name, version: manifest.version, modelUri: modelURI, formatVersion: manifest.formatVersion,
            createdAt: manifest.createdAt, trainingRun: manifest.trainingRun, featureColumns: manifest.featureColumns,
            featureParameters: manifest.featureParameters,
            pairs: manifest.members.map { member in
                Member(
                    pair: member.pair, legs: member.legs, threshold: member.threshold, entryZ: member.entryZ,
                    kind: member.kind,
                    trainingWindow: member.trainingWindow, metrics: Metrics(member.metrics))
            },
            signature: Signature(
                inputs: ["pair"] + manifest.featureColumns,
                outputs: ["pair", "proba", "signal", "threshold", "model_version"]))
        execution = manifest.execution
        guardrails = manifest.guardrails
        trials = manifest.trials
        pbo = manifest.pbo
    }

    public static func decode(_ data: Data) throws -> ModelMetadata {
        try ProjectJSON.decoder().decode(ModelMetadata.self, from: data)
    }

    public func encoded() throws -> Data {
        let encoder = ProjectJSON.encoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// The earliest first and the latest last training bar over the members.
    public var trainingWindow: (first: String, last: String)? {
        let windows = pairs.compactMap(\.trainingWindow).filter { $0.count == 2 }
        guard let first = windows.map({ $0[0] }).min(), let last = windows.map({ $0[1] }).max() else { return nil }
        return (first, last)
    }
}
