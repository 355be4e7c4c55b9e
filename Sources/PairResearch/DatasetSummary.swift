import Foundation
import GRDB
import MarketData
import Basics
import Store

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
