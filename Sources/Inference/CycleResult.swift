import Foundation
import HTTPClient
import Logging
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Basics
import Store

/// What one cycle did, for the log line and the benchmark.
public struct CycleResult: Sendable {
    public var asOf: Int64
    public var modelVersion: Int
    public var rowsScored: Int
    public var signalsInserted: Int
    public var longSignals: Int
    public var shortSignals: Int
    public var orders: Int
    public var gross: Double
    public var reportDirectory: String
    public var ordersFile: String
    /// Seconds per step: ingest, features, request, signals, aggregate, report.
    public var timings: [(step: String, seconds: Double)]
    /// Bars the paper ledger booked in this cycle (0 for a rerun of a booked bar), its fills, and
    /// its equity after them.
    public var barsBooked = 0
    public var fills = 0
    public var ledgerEquity = 0.0

    public var line: String {
        "cycle \(UTCTime.format(asOf)): model v\(modelVersion), \(rowsScored) rows scored, \(signalsInserted) new signals "
            + "(\(longSignals) long, \(shortSignals) short at the newest bar), \(orders) orders, gross \(String(format: "%.2f", gross)); "
            + "ledger: \(barsBooked == 0 ? "bar already booked" : "\(barsBooked) bar\(barsBooked == 1 ? "" : "s") booked, \(fills) fills"), "
            + "equity \(String(format: "%.2f", ledgerEquity)); orders \(ordersFile), report \(reportDirectory)/report.html"
    }
}
