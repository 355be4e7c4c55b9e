import Foundation
import GRDB
import MarketData
import PairResearch
import Parquet
import Portfolio
import Store
import TestSupport
import Testing
import TrainingRecords

@testable import Exports

/// A store with a few rows in every exported table, written by SQL as the owners lay them out.
struct ExportFixture {
    let directory: String
    let store: DataStore
    static let t0: Int64 = 1_717_200_000_000 // 2024-06-01T00:00:00Z
    static let pairs = ["AAAUSDT__BBBUSDT", "CCCUSDT__DDDUSDT"]

    init() throws {
        directory = try temporaryDirectory("exports")
        store = try DataStore(dataDirectory: directory, schemas: [.marketData, .pairResearch, .training, .portfolio])
        let bars = (0..<4).map { (i: Int) -> Bar in
            let step = Double(i)
            return Bar(
                openTime: Self.t0 + Int64(i) * 3_600_000, open: 1 + step / 3, high: 2, low: 0.5, close: 1.25,
                volume: 10.1 * step, isFilled: i == 2)
        }
        _ = try store.upsert([
            BarSeries(symbol: "AAAUSDT", timeframe: .h1, bars: bars),
            BarSeries(symbol: "BBBUSDT", timeframe: .h1, bars: Array(bars.prefix(2)))
        ])
        let definition = String(decoding: try JSONEncoder().encode(DatasetDefinition()), as: UTF8.self)
        try store.write { db in
            try db.execute(
                sql: "INSERT INTO datasets VALUES ('ds1', 1, '5m', ?, 2, 6, 4, 0.5, NULL)", arguments: [definition])
            for (p, pair) in Self.pairs.enumerated() {
                let legs = pair.components(separatedBy: "__")
                try db.execute(
                    sql: "INSERT INTO feature_sets VALUES (?, '5m', ?, ?, '{}', ?, ?, 3)",
                    arguments: [pair, legs[0], legs[1], Self.t0, Self.t0 + 600_000])
                for i in 0..<3 {
                    let time = Self.t0 + Int64(i) * 300_000
                    let values = (0..<14).map { Double(p * 100 + i) + Double($0) / 7 }
                    let row: [any DatabaseValueConvertible] = [pair, time] + values
                    try db.execute(
                        sql: "INSERT INTO features VALUES (?, '5m', ?\(String(repeating: ", ?", count: 14)))",
                        arguments: StatementArguments(row))
                    try db.execute(
                        sql: "INSERT INTO dataset_rows VALUES ('ds1', ?, ?, ?, ?)",
                        arguments: [pair, time, i == 2 ? nil : i % 2, i == 2 ? nil : 0.001 * Double(i + 1)])
                    try db.execute(
                        sql: "INSERT INTO oof_predictions VALUES ('run1', ?, ?, ?, ?, ?, ?)",
                        arguments: [pair, time, i, 0.1 * Double(i), 0.2 * Double(i) + 0.05, i % 2])
                    try db.execute(
                        sql:
                            "INSERT INTO signals VALUES (?, ?, 3, 'router', '5m', ?, ?, ?, ?, 0.6, ?, 1.1, 10, 20, 0.01, ?)",
                        arguments: [
                            pair, time, legs[0], legs[1], 0.5 + Double(i) / 10, i - 1, -1.5 + Double(i), time + 7
                        ])
                    try db.execute(
                        sql:
                            "INSERT INTO ledger_marks VALUES (?, ?, 3, ?, 1, 1000, 1001.5, 1.5, 0.25, 'ok', ?, ?, ?, ?)",
                        arguments: [
                            pair, time, Double(i) - 1, i == 0 ? nil : 0.3, i == 0 ? nil : 0.7, i == 0 ? nil : 1,
                            i == 2 ? nil : 0.0012
                        ])
                }
                try db.execute(
                    sql: "INSERT INTO orders VALUES (?, 3, ?, ?, 'buy', 500, 2.5, 200, 0.5, 0.7, ?)",
                    arguments: [Self.t0, pair, legs[0], #"{"scheme":"equal_weight","note":"a, \"b\""}"#])
                try db.execute(
                    sql: "INSERT INTO ledger_fills VALUES (?, ?, ?, 3, 'sell', 1.5, 20, 30, 0.03, ?, ?)",
                    arguments: [pair, Self.t0 + 300_000, legs[1], "entry, z \"-2\"", Self.t0])
            }
            try db.execute(
                sql: """
                    INSERT INTO training_runs (id, created_at, status, dataset_id, parameters, code_version, pairs, trained)
                    VALUES ('run1', 2, 'complete', 'ds1', '{}', 'test', 2, 2)
                    """)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Each table's rows as the store holds them (SQLite's own text of every value, NULL as "").
    func storedRows(_ table: ExportTable) throws -> [[String]] {
        let sql: String
        switch table {
        case .bars:
            sql =
                "SELECT symbol, timeframe, open_time, open, high, low, close, volume, is_filled FROM bars ORDER BY symbol, open_time"
        case .features:
            sql = "SELECT * FROM features ORDER BY pair, timeframe, open_time"
        case .datasets: sql = "SELECT * FROM dataset_rows ORDER BY pair, open_time"
        case .signals: sql = "SELECT * FROM signals ORDER BY pair, open_time, model_version"
        case .orders: sql = "SELECT * FROM orders ORDER BY as_of, model_version, pair, symbol"
        case .ledger: sql = "SELECT * FROM ledger_marks ORDER BY pair, open_time"
        case .fills: sql = "SELECT * FROM ledger_fills ORDER BY open_time, pair, symbol"
        case .predictions: sql = "SELECT * FROM oof_predictions ORDER BY pair, open_time"
        }
        return try store.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: ""
                    case .int64(let number): "\(number)"
                    case .double(let number): "\(number)"
                    case .string(let text): text
                    case .blob: "blob"
                    }
                }
            }
        }
    }
}

/// RFC 4180 fields of a CSV text, for reading the exports back.
func csvRecords(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text).makeIterator()
    var pending: Character?
    while let character = pending ?? characters.next() {
        pending = nil
        if quoted {
            if character == "\"" {
                let next = characters.next()
                if next == "\"" {
                    field.append("\"")
                } else {
                    quoted = false
                    pending = next
                }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            record.append(field)
            field = ""
        } else if character == "\n" {
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            field.append(character)
        }
    }
    return records
}

@Suite(.serialized) struct TableExportTests {
    /// Every value of every table comes back from the CSV as the store's own text of it.
    @Test(arguments: ExportTable.allCases)
    func everyTableRoundTripsThroughCSV(table: ExportTable) throws {
        let fixture = try ExportFixture()
        defer { fixture.remove() }
        let (text, rows) = try TableExport(store: fixture.store).csv(table, filter: ExportFilter())
        var records = csvRecords(text)
        #expect(records.removeFirst() == table.schema.columns.map(\.name))
        var expected = try fixture.storedRows(table)
        if table == .bars {
            // The store's 0/1 is the export's boolean.
            expected = expected.map { Array($0.dropLast()) + [$0.last == "1" ? "true" : "false"] }
        }
        #expect(rows == expected.count && rows > 0)
        #expect(records == expected)
    }

    @Test(arguments: ExportTable.allCases)
    func everyTableWritesAParquetFileWithItsRows(table: ExportTable) throws {
        let fixture = try ExportFixture()
        defer { fixture.remove() }
        let path = fixture.directory + "/out/\(table.rawValue).parquet"
        let rows = try TableExport(store: fixture.store).write(
            table, format: .parquet, filter: ExportFilter(), to: path)
        let stored = try fixture.storedRows(table)
        #expect(rows == stored.count)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.prefix(4) == [0x50, 0x41, 0x52, 0x31] && bytes.suffix(4) == [0x50, 0x41, 0x52, 0x31])
        // No temporary file is left beside it.
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/out")
        #expect(files == ["\(table.rawValue).parquet"])
    }

    @Test func pairsAndTimesFilterTheRows() throws {
        let fixture = try ExportFixture()
        defer { fixture.remove() }
        let export = TableExport(store: fixture.store)
        let filter = ExportFilter(
            pairs: [ExportFixture.pairs[1]], from: ExportFixture.t0 + 300_000, to: ExportFixture.t0 + 600_000)
        for table in [ExportTable.features, .datasets, .signals, .ledger, .predictions] {
            let records = csvRecords(try export.csv(table, filter: filter).text).dropFirst()
            let pairColumn = table.schema.columns.firstIndex { $0.name == "pair" }!
            let timeColumn = table.schema.columns.firstIndex { $0.name == "open_time" }!
            #expect(records.map { $0[pairColumn] } == [ExportFixture.pairs[1], ExportFixture.pairs[1]], "\(table)")
            #expect(
                records.map { $0[timeColumn] } == ["\(ExportFixture.t0 + 300_000)", "\(ExportFixture.t0 + 600_000)"],
                "\(table)")
        }
        let bars = csvRecords(
            try export.csv(.bars, filter: ExportFilter(symbols: ["BBBUSDT"], to: ExportFixture.t0)).text)
        #expect(bars.dropFirst().map { $0[0] + " " + $0[2] } == ["BBBUSDT \(ExportFixture.t0)"])
    }

    @Test func barsInCSVKeepTheLayoutIngestReadsBack() throws {
        let fixture = try ExportFixture()
        defer { fixture.remove() }
        var symbols: [String] = []
        try TableExport(store: fixture.store).barCSV(filter: ExportFilter()) { symbol, bars, text in
            symbols.append(symbol)
            let parsed = try BarCSV.parse(text, name: symbol, timeframe: .h1)
            // The CSV layout has no is_filled column.
            #expect(
                parsed
                    == bars.map {
                        Bar(
                            openTime: $0.openTime, open: $0.open, high: $0.high, low: $0.low, close: $0.close,
                            volume: $0.volume, isFilled: false)
                    })
        }
        #expect(symbols == ["AAAUSDT", "BBBUSDT"])
    }

    @Test func nothingToExportIsOneClearError() throws {
        let fixture = try ExportFixture()
        defer { fixture.remove() }
        let export = TableExport(store: fixture.store)
        let late = ExportFilter(from: ExportFixture.t0 + 86_400_000)
        for table in ExportTable.allCases where table != .bars {
            do {
                _ = try export.csv(table, filter: late)
                Issue.record("\(table): an empty export did not fail")
            } catch MarketDataError.invalidArgument(let message) {
                #expect(message.contains("no \(table.rawValue) rows"), "\(message)")
            } catch {
                Issue.record("\(table): \(error)")
            }
        }
        #expect(throws: MarketDataError.self) {
            _ = try export.csv(.bars, filter: ExportFilter(symbols: ["ZZZUSDT"]))
        }
        #expect(throws: MarketDataError.self) { _ = try export.csv(.predictions, filter: ExportFilter(runId: "nope")) }
        #expect(throws: MarketDataError.self) { _ = try export.csv(.datasets, filter: ExportFilter(datasetId: "nope")) }
    }

    @Test func csvQuotesOnlyFieldsThatNeedIt() {
        #expect(TableCSV.field("plain") == "plain")
        #expect(TableCSV.field("a,b") == "\"a,b\"")
        #expect(TableCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(TableCSV.field("two\nlines") == "\"two\nlines\"")
    }
}
