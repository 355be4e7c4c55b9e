import Basics
import Foundation
import MarketData
import Parquet
import Store

/// Writes a stored table, filtered, as one Parquet or CSV file, replaced atomically
/// (`AtomicFile`). The rows come through each table's owner (`TableReader`); this module owns no
/// table.
public struct TableExport: Sendable {
    public let store: DataStore
    public var parquetOptions: ParquetWriter.Options

    public init(store: DataStore) {
        self.store = store
        parquetOptions = ParquetWriter.Options()
        parquetOptions.createdBy = "\(ProductVersion.code) (own Parquet writer)"
    }

    /// Writes `table` to the file `path`; returns the rows written. Bars in CSV are one file per
    /// symbol: see `barCSV`.
    public func write(_ table: ExportTable, format: ExportFormat, filter: ExportFilter, to path: String) throws -> Int {
        let data: Data
        let rows: Int
        switch format {
        case .parquet:
            let writer = ParquetWriter(schema: table.schema, options: parquetOptions)
            try readOnOtherThreads(table, filter: filter) { try writer.append($0) }
            rows = Int(writer.rowCount)
            try requireRows(rows, table)
            data = try writer.finish()
        case .csv:
            let text: String
            (text, rows) = try csv(table, filter: filter)
            data = Data(text.utf8)
        }
        try AtomicFile.write(data, to: path)
        return rows
    }

    /// The table as CSV text (what `write` puts in a CSV file) and its rows.
    public func csv(_ table: ExportTable, filter: ExportFilter) throws -> (text: String, rows: Int) {
        var text = TableCSV.header(table.schema)
        var rows = 0
        try TableReader(store: store, filter: filter).read(table) { batch in
            TableCSV.append(batch, to: &text)
            rows += batch.first?.count ?? 0
        }
        try requireRows(rows, table)
        return (text, rows)
    }

    /// Each symbol's bars in `BarCSV`'s layout, which `mntrading ingest --source csv` reads back.
    public func barCSV(filter: ExportFilter, _ each: (_ symbol: String, _ bars: [Bar], _ text: String) throws -> Void)
        throws
    {
        let timeframe = filter.timeframe ?? ExportFilter.defaultBarTimeframe
        let symbols = try TableReader(store: store, filter: filter).barSymbols()
        try requireRows(symbols.count, .bars)
        for symbol in symbols {
            let bars = try store.bars(symbol: symbol, timeframe: timeframe, from: filter.from, to: filter.to)
            guard !bars.isEmpty else {
                throw MarketDataError.invalidArgument("no \(timeframe) bars stored for \(symbol) in that range")
            }
            try each(symbol, bars, BarCSV.render(bars))
        }
    }

    /// The reading runs on threads of its own (two for bars and features, which interleave back in
    /// order), `body` on this one, a couple of batches behind: reading SQLite is the larger part.
    private func readOnOtherThreads(
        _ table: ExportTable, filter: ExportFilter, _ body: ([ParquetColumnValues]) throws -> Void
    ) throws {
        let count = TableReader.shardable(table) ? 2 : 1
        let channels = (0..<count).map { _ in BatchChannel(capacity: 2) }
        for (index, channel) in channels.enumerated() {
            let reader = TableReader(store: store, filter: filter, shard: (index, count))
            Thread {
                do {
                    try reader.read(table) { batch in
                        guard channel.put(batch) else { throw CancellationError() }
                    }
                    channel.finish(nil)
                } catch {
                    channel.finish(error)
                }
            }.start()
        }
        defer { channels.forEach { $0.waitForProducer() } }
        do {
            var next = 0
            while let batch = try channels[next % count].take() {
                next += 1
                if batch.first?.count ?? 0 > 0 { try body(batch) }
            }
            // The share that ran out was the next in turn, so the others are done too.
            for channel in channels {
                let rest = try channel.take()
                precondition(rest == nil, "the shares of a read interleave")
            }
        } catch {
            channels.forEach { $0.cancel() }
            throw error
        }
    }

    private func requireRows(_ rows: Int, _ table: ExportTable) throws {
        guard rows == 0 else { return }
        let hint =
            switch table {
            case .bars: "run `mntrading ingest` first, or check --symbols, --timeframe and the time range"
            case .features: "run `mntrading features` first, or check --pairs, --timeframe and the time range"
            case .datasets: "check --pairs and the time range"
            case .signals, .orders: "signals and orders come from `mntrading-infer`; check --pairs and the time range"
            case .ledger, .fills:
                "the paper ledger is written by `mntrading-infer` cycles; check --pairs and the time range"
            case .predictions: "check --pairs and the time range"
            }
        throw MarketDataError.invalidArgument("no \(table.rawValue) rows in the store match: \(hint)")
    }
}
