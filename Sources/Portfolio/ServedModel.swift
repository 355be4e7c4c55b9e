import Foundation
import MarketData

/// What a scoring server says about its model (`GET /metadata`): the client learns the pairs,
/// feature columns and feature parameters from it, and the report shows it. Decoded from the
/// server's snake_case JSON; unknown keys are ignored so newer servers stay readable.
public struct ServedModel: Codable, Sendable, Equatable {
    public struct Parameters: Codable, Sendable, Equatable {
        public var timeframe: String
        public var betaWindow: Int
        public var zWindow: Int
        public var lagFeatures: Int
        public var labelType: String
        public var zscoreThreshold: Double
        public var horizon: Int

        public init(timeframe: String, betaWindow: Int, zWindow: Int, lagFeatures: Int, labelType: String, zscoreThreshold: Double, horizon: Int) {
            self.timeframe = timeframe
            self.betaWindow = betaWindow
            self.zWindow = zWindow
            self.lagFeatures = lagFeatures
            self.labelType = labelType
            self.zscoreThreshold = zscoreThreshold
            self.horizon = horizon
        }
    }

    /// Out-of-fold figures from training. A struct, not a dictionary: key strategies would rename
    /// dictionary keys.
    public struct Metrics: Codable, Sendable, Equatable {
        public var oofRocAuc: Double?
        public var oofBrier: Double?
        public var sharpe: Double?
        public var maxDrawdown: Double?
        public var cumulativeReturn: Double?

        public init(oofRocAuc: Double? = nil, oofBrier: Double? = nil, sharpe: Double? = nil, maxDrawdown: Double? = nil, cumulativeReturn: Double? = nil) {
            self.oofRocAuc = oofRocAuc
            self.oofBrier = oofBrier
            self.sharpe = sharpe
            self.maxDrawdown = maxDrawdown
            self.cumulativeReturn = cumulativeReturn
        }
    }

    public struct Member: Codable, Sendable, Equatable {
        public var pair: String
        public var legs: [String]
        public var threshold: Double
        public var kind: String
        /// First and last training bar, ISO-8601 UTC (absent from older servers).
        public var trainingWindow: [String]?
        public var metrics: Metrics?

        public init(pair: String, legs: [String], threshold: Double, kind: String, trainingWindow: [String]? = nil, metrics: Metrics? = nil) {
            self.pair = pair
            self.legs = legs
            self.threshold = threshold
            self.kind = kind
            self.trainingWindow = trainingWindow
            self.metrics = metrics
        }
    }

    public var name: String
    public var version: Int
    public var modelUri: String?
    public var createdAt: String?
    public var trainingRun: String?
    public var featureColumns: [String]
    public var featureParameters: Parameters
    public var pairs: [Member]

    public init(name: String, version: Int, modelUri: String? = nil, createdAt: String? = nil, trainingRun: String? = nil,
                featureColumns: [String], featureParameters: Parameters, pairs: [Member]) {
        self.name = name
        self.version = version
        self.modelUri = modelUri
        self.createdAt = createdAt
        self.trainingRun = trainingRun
        self.featureColumns = featureColumns
        self.featureParameters = featureParameters
        self.pairs = pairs
    }

    public static func decode(_ data: Data) throws -> ServedModel {
        try SnakeCaseJSON.decoder().decode(ServedModel.self, from: data)
    }

    /// The earliest first and the latest last training bar over the members.
    public var trainingWindow: (first: String, last: String)? {
        let windows = pairs.compactMap(\.trainingWindow).filter { $0.count == 2 }
        guard let first = windows.map({ $0[0] }).min(), let last = windows.map({ $0[1] }).max() else { return nil }
        return (first, last)
    }
}
