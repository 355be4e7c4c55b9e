import Foundation
import GRDB
import MarketData
import Basics
import Store

/// One scored bar of one pair: the server's answer plus the feature values the orders need.
public struct SignalRecord: Codable, Sendable, Equatable {
    public var pair: String
    /// Open time of the scored (closed) bar, ms UTC.
    public var openTime: Int64
    public var modelName: String
    public var modelVersion: Int
    public var timeframe: String
    public var legA: String
    public var legB: String
    public var proba: Double
    /// +1 long the spread (buy A, sell β·B), −1 short it, 0 no trade.
    public var signal: Int
    public var threshold: Double
    public var z: Double
    public var beta: Double
    public var closeA: Double
    public var closeB: Double
    public var spreadVolatility: Double
    /// When the cycle that first scored this bar ran; a rerun keeps the first value.
    public var scoredAt: Int64

    public init(
        pair: String, openTime: Int64, modelName: String, modelVersion: Int, timeframe: String, legA: String,
        legB: String,
        proba: Double, signal: Int, threshold: Double, z: Double, beta: Double, closeA: Double, closeB: Double,
        spreadVolatility: Double, scoredAt: Int64
    ) {
        self.pair = pair
        self.openTime = openTime
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.timeframe = timeframe
        self.legA = legA
        self.legB = legB
        self.proba = proba
        self.signal = signal
        self.threshold = threshold
        self.z = z
        self.beta = beta
        self.closeA = closeA
        self.closeB = closeB
        self.spreadVolatility = spreadVolatility
        self.scoredAt = scoredAt
    }

    static let columns =
        "pair, open_time, model_version, model_name, timeframe, leg_a, leg_b, proba, signal, threshold, z, beta, close_a, close_b, spread_volatility, scored_at"

    init(row: Row) {
        self.init(
            pair: row["pair"], openTime: row["open_time"], modelName: row["model_name"],
            modelVersion: row["model_version"],
            timeframe: row["timeframe"], legA: row["leg_a"], legB: row["leg_b"], proba: row["proba"],
            signal: row["signal"],
            threshold: row["threshold"], z: row["z"], beta: row["beta"], closeA: row["close_a"], closeB: row["close_b"],
            spreadVolatility: row["spread_volatility"], scoredAt: row["scored_at"])
    }

    /// One JSON object per line in `signals_<date>.jsonl`; keys in a fixed order so files diff cleanly.
    func jsonLine(_ encoder: JSONEncoder) throws -> String {
        String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The UTC day of the bar, `2024-06-01`: which JSONL file the signal belongs to.
    public var day: String { Self.day(of: openTime) }

    public static func day(of openTime: Int64) -> String { String(UTCTime.format(openTime).prefix(10)) }
}
