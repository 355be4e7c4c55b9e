import GRDB
import MarketData
import PairResearch
import Parquet
import Portfolio
import Store
import TrainingRecords

/// Reads a table's rows through its owner's accessors, in column batches (a symbol's or a pair's
/// rows, or a whole small table), in `ExportTable.schema`'s column order.
struct TableReader {
    let store: DataStore
    let filter: ExportFilter
    /// This reader's share of a table read by several (bars and features: every `count`-th series
    /// from `index`, each as one batch, empty or not, so that the shares interleave back in order).
    var shard = (index: 0, count: 1)

    /// The tables whose reading several threads share.
    static func shardable(_ table: ExportTable) -> Bool { table == .bars || table == .features }

    typealias Batch = [ParquetColumnValues]

    /// One read per named pair, or one read of every pair (nil).
    private var pairReads: [String?] { filter.pairs.map { $0.map { Optional($0) } } ?? [nil] }

    func read(_ table: ExportTable, _ body: (Batch) throws -> Void) throws {
        switch table {
        case .bars: try bars(body)
        case .features: try features(body)
        case .datasets: try datasets(body)
        case .signals:
            try perPair(body) { pair, db in
                signals(try SignalRecords.all(pair: pair, from: filter.from, to: filter.to, in: db))
            }
        case .orders:
            try perPair(body) { pair, db in
                orders(try OrderRecords.all(pair: pair, from: filter.from, to: filter.to, in: db))
            }
        case .ledger:
            try perPair(body) { pair, db in
                marks(try LedgerRecords.marks(pair: pair, from: filter.from, to: filter.to, in: db))
            }
        case .fills:
            try perPair(body) { pair, db in
                fills(try LedgerRecords.fills(pair: pair, from: filter.from, to: filter.to, in: db))
            }
        case .predictions: try predictions(body)
        }
    }

    /// The bars' series to read: the named symbols, or every symbol stored at the timeframe.
    func barSymbols() throws -> [String] {
        let timeframe = filter.timeframe ?? ExportFilter.defaultBarTimeframe
        return try filter.symbols ?? store.summaries(timeframe: timeframe).map(\.symbol)
    }

    private func bars(_ body: (Batch) throws -> Void) throws {
        let timeframe = filter.timeframe ?? ExportFilter.defaultBarTimeframe
        for (offset, symbol) in try barSymbols().enumerated() where offset % shard.count == shard.index {
            let bars = try store.bars(symbol: symbol, timeframe: timeframe, from: filter.from, to: filter.to)
            guard !bars.isEmpty else {
                throw MarketDataError.invalidArgument("no \(timeframe) bars stored for \(symbol) in that range")
            }
            try body(
                [
                    .string(Array(repeating: symbol, count: bars.count)),
                    .string(Array(repeating: timeframe.rawValue, count: bars.count)),
                    .int64(bars.map(\.openTime)), .double(bars.map(\.open)), .double(bars.map(\.high)),
                    .double(bars.map(\.low)), .double(bars.map(\.close)), .double(bars.map(\.volume)),
                    .boolean(bars.map(\.isFilled))
                ])
        }
    }

    private func features(_ body: (Batch) throws -> Void) throws {
        let wanted = filter.pairs.map(Set.init)
        let sets = try store.featureSets(timeframe: filter.timeframe).filter { wanted?.contains($0.pair) ?? true }
        for (offset, set) in sets.enumerated() where offset % shard.count == shard.index {
            let rows = try store.featureRows(pair: set.pair, timeframe: set.timeframe, from: filter.from, to: filter.to)
            try body(
                [
                    .string(Array(repeating: set.pair, count: rows.count)),
                    .string(Array(repeating: set.timeframe.rawValue, count: rows.count)),
                    .int64(rows.map(\.openTime)), .double(rows.map(\.closeA)), .double(rows.map(\.closeB)),
                    .double(rows.map(\.beta)), .double(rows.map(\.alpha)), .double(rows.map(\.spread)),
                    .double(rows.map(\.z)), .double(rows.map(\.zVelocity)), .double(rows.map(\.zAcceleration)),
                    .double(rows.map(\.spreadVolatility)), .double(rows.map(\.halfLife)),
                    .double(rows.map(\.volumeRatioA)), .double(rows.map(\.volumeRatioB)),
                    .double(rows.map(\.betaLong)), .double(rows.map(\.zLong))
                ])
        }
    }

    private func datasets(_ body: (Batch) throws -> Void) throws {
        try store.read { db in
            let dataset = try DatasetRecord.load(db, id: filter.datasetId)
            for pair in pairReads {
                let rows = try dataset.rows(db, pair: pair, from: filter.from, to: filter.to)
                guard !rows.isEmpty else { continue }
                try body(
                    [
                        .string(Array(repeating: dataset.id, count: rows.count)), .string(rows.map(\.pair)),
                        .int64(rows.map(\.openTime)), .optionalInt64(rows.map { $0.label.map(Int64.init) }),
                        .optionalDouble(rows.map(\.forwardMove))
                    ])
            }
        }
    }

    private func predictions(_ body: (Batch) throws -> Void) throws {
        try store.read { db in
            let runId: String
            if let named = filter.runId {
                guard let complete = try TrainingRunRecords.completeId(db, named) else {
                    throw MarketDataError.invalidArgument("training run \(named) is not a complete run in the store")
                }
                runId = complete
            } else {
                guard let latest = try TrainingRunRecords.latestCompleteId(db) else {
                    throw MarketDataError.invalidArgument(
                        "no complete training run in the store; run `mntrading train` first")
                }
                runId = latest
            }
            for pair in pairReads {
                let rows = try TrainingRunRecords.outOfFoldPredictions(
                    db, runId: runId, pair: pair, from: filter.from, to: filter.to)
                guard !rows.isEmpty else { continue }
                try body(
                    [
                        .string(Array(repeating: runId, count: rows.count)), .string(rows.map(\.pair)),
                        .int64(rows.map(\.prediction.time)), .int64(rows.map { Int64($0.prediction.fold) }),
                        .double(rows.map(\.prediction.raw)), .double(rows.map(\.prediction.calibrated)),
                        .int64(rows.map { Int64($0.prediction.label) })
                    ])
            }
        }
    }

    /// One read per named pair (or one for all), each a batch unless it found nothing.
    private func perPair(_ body: (Batch) throws -> Void, _ rows: (String?, Database) throws -> Batch?) throws {
        try store.read { db in
            for pair in pairReads {
                if let batch = try rows(pair, db) { try body(batch) }
            }
        }
    }

    private func signals(_ rows: [SignalRecord]) -> Batch? {
        guard !rows.isEmpty else { return nil }
        return [
            .string(rows.map(\.pair)), .int64(rows.map(\.openTime)), .int64(rows.map { Int64($0.modelVersion) }),
            .string(rows.map(\.modelName)), .string(rows.map(\.timeframe)), .string(rows.map(\.legA)),
            .string(rows.map(\.legB)), .double(rows.map(\.proba)), .int64(rows.map { Int64($0.signal) }),
            .double(rows.map(\.threshold)), .double(rows.map(\.z)), .double(rows.map(\.beta)),
            .double(rows.map(\.closeA)), .double(rows.map(\.closeB)), .double(rows.map(\.spreadVolatility)),
            .int64(rows.map(\.scoredAt))
        ]
    }

    private func orders(_ rows: [(asOf: Int64, modelVersion: Int, order: Order, parameters: String)]) -> Batch? {
        guard !rows.isEmpty else { return nil }
        return [
            .int64(rows.map(\.asOf)), .int64(rows.map { Int64($0.modelVersion) }), .string(rows.map(\.order.pair)),
            .string(rows.map(\.order.symbol)), .string(rows.map(\.order.side)), .double(rows.map(\.order.notional)),
            .double(rows.map(\.order.quantity)), .double(rows.map(\.order.price)), .double(rows.map(\.order.weight)),
            .double(rows.map(\.order.proba)), .string(rows.map(\.parameters))
        ]
    }

    private func marks(_ rows: [(mark: LedgerMark, ret: Double?)]) -> Batch? {
        guard !rows.isEmpty else { return nil }
        return [
            .string(rows.map(\.mark.pair)), .int64(rows.map(\.mark.openTime)),
            .int64(rows.map { Int64($0.mark.modelVersion) }), .double(rows.map(\.mark.position)),
            .double(rows.map(\.mark.decided)), .double(rows.map(\.mark.equityBefore)),
            .double(rows.map(\.mark.equity)), .double(rows.map(\.mark.pnl)), .double(rows.map(\.mark.cost)),
            .string(rows.map(\.mark.status)), .optionalDouble(rows.map(\.mark.z)),
            .optionalDouble(rows.map(\.mark.proba)), .optionalInt64(rows.map { $0.mark.signal.map(Int64.init) }),
            .optionalDouble(rows.map(\.ret))
        ]
    }

    private func fills(_ rows: [LedgerFill]) -> Batch? {
        guard !rows.isEmpty else { return nil }
        return [
            .string(rows.map(\.pair)), .int64(rows.map(\.openTime)), .string(rows.map(\.symbol)),
            .int64(rows.map { Int64($0.modelVersion) }), .string(rows.map(\.side)), .double(rows.map(\.quantity)),
            .double(rows.map(\.price)), .double(rows.map(\.notional)), .double(rows.map(\.cost)),
            .string(rows.map(\.reason)), .int64(rows.map(\.decidedAt))
        ]
    }
}
