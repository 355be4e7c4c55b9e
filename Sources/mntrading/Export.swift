import ArgumentParser
import Basics
import CLISupport
import Exports
import Foundation
import MarketData

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a stored table to Parquet or CSV, optionally filtered by pair (or symbol) and time.",
        discussion: """
            Tables (the first argument; bars when omitted):
            \(ExportTable.allCases.map { "  \($0.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n"))

            Files go to <data-dir>/exports/ unless --out names a file (ending in .parquet or .csv) or a \
            directory, and are replaced atomically. Default names: <table>.<format>; bars in Parquet \
            bars_<timeframe>.parquet; bars in CSV one file per symbol, <SYMBOL>_<timeframe>.csv, in the \
            layout `mntrading ingest --source csv` reads back.

            Parquet: ZSTD-compressed, times as INT64 timestamps (UTC, milliseconds), statistics per \
            column chunk; pyarrow, DuckDB and Polars read it. CSV: a header row, times as epoch \
            milliseconds, NULL as an empty field.

            Examples:
              mntrading export --symbols BTCUSDT --timeframe 1h
              mntrading export features --format parquet --pairs ETHUSDT__BTCUSDT --since 2024-01-01
              mntrading export predictions --format csv --stdout
            """
    )

    @OptionGroup var location: LocationOptions

    @Argument(help: ArgumentHelp("The table to export.", valueName: "table"))
    var table: String = ExportTable.bars.rawValue

    @Option(help: ArgumentHelp("parquet or csv.", valueName: "format"))
    var format: String = ExportFormat.csv.rawValue

    @Option(
        help: ArgumentHelp("A file (.parquet or .csv) or a directory; default <data-dir>/exports.", valueName: "path"))
    var out: String?

    @Option(help: ArgumentHelp("Bars only: comma-separated symbols (default: every symbol stored).", valueName: "A,B"))
    var symbols: String?

    @Option(help: ArgumentHelp("Every table but bars: comma-separated pair ids.", valueName: "A__B,C__D"))
    var pairs: String?

    @Option(help: "Bars (default 1h) and features (default: every timeframe stored): the bar length.")
    var timeframe: String?

    @Option(help: ArgumentHelp("First open time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Last open time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Datasets only: the dataset id (default: the newest).", valueName: "id"))
    var dataset: String?

    @Option(
        name: .customLong("run"),
        help: ArgumentHelp("Predictions only: the training run id (default: the newest complete run).", valueName: "id")
    )
    var runID: String?

    @Flag(help: "Print CSV to standard output instead of writing a file (bars: one symbol only).")
    var stdout = false

    func validate() throws {
        let (table, format) = try tableAndFormat()
        _ = try filter(for: table)
        if stdout && format != .csv { throw ValidationError("--stdout prints CSV only; Parquet is written to a file") }
        if stdout && out != nil { throw ValidationError("--stdout and --out exclude each other") }
        let oneSymbol = try symbols.map { try parseSymbols($0).count == 1 } ?? false
        if let out {
            let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
            if let other = ExportFormat(rawValue: ext), other != format {
                throw ValidationError("--out '\(out)' ends in .\(ext) but --format is \(format.rawValue)")
            }
            if table == .bars && format == .csv && ext == "csv" && !oneSymbol {
                throw ValidationError(
                    "bars in CSV are one file per symbol: name one symbol with --symbols, or give --out a directory")
            }
        }
        if stdout && table == .bars && format == .csv && !oneSymbol {
            throw ValidationError("--stdout exports exactly one symbol")
        }
    }

    func run() throws {
        location.bootstrapLogging()
        let (table, format) = try tableAndFormat()
        let filter = try filter(for: table)
        let export = TableExport(store: try location.locations.openProjectStore())
        if table == .bars && format == .csv {
            try exportBarCSV(export, filter: filter)
            return
        }
        if stdout {
            let (text, _) = try export.csv(table, filter: filter)
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let name =
            table == .bars
            ? "bars_\((filter.timeframe ?? ExportFilter.defaultBarTimeframe).rawValue)" : table.rawValue
        let path = try outputFile(named: "\(name).\(format.fileExtension)", format: format)
        let rows = try export.write(table, format: format, filter: filter, to: path)
        print("\(table.rawValue): \(rows) rows → \(path)")
    }

    /// Today's layout: one `BarCSV` file per symbol, or one symbol on standard output.
    private func exportBarCSV(_ export: TableExport, filter: ExportFilter) throws {
        let timeframe = filter.timeframe ?? ExportFilter.defaultBarTimeframe
        try export.barCSV(filter: filter) { symbol, bars, text in
            if stdout {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            let path = try outputFile(named: "\(symbol)_\(timeframe.rawValue).csv", format: .csv)
            try AtomicFile.write(text, to: path)
            print("\(symbol) \(timeframe): \(bars.count) bars → \(path)")
        }
    }

    /// `--out` as the file itself when it ends in the format's extension, else as the directory.
    private func outputFile(named name: String, format: ExportFormat) throws -> String {
        guard let out else { return location.locations.dataPath("exports", name) }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory)
        if URL(fileURLWithPath: out).pathExtension.lowercased() == format.fileExtension {
            if exists && isDirectory.boolValue {
                throw ValidationError("--out '\(out)' is a directory; name a file or drop the extension")
            }
            return out
        }
        if exists && !isDirectory.boolValue {
            throw ValidationError("--out '\(out)' is an existing file without the .\(format.fileExtension) extension")
        }
        return URL(fileURLWithPath: out).appendingPathComponent(name).path
    }

    private func tableAndFormat() throws -> (ExportTable, ExportFormat) {
        guard let table = ExportTable(rawValue: table) else {
            throw ValidationError(
                "unknown table '\(self.table)': use one of \(ExportTable.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let format = ExportFormat(rawValue: format.lowercased()) else {
            throw ValidationError("--format '\(self.format)' is not parquet or csv")
        }
        return (table, format)
    }

    private func filter(for table: ExportTable) throws -> ExportFilter {
        func only(_ flag: String, _ value: String?, _ tables: [ExportTable]) throws {
            guard value != nil, !tables.contains(table) else { return }
            throw ValidationError(
                "\(flag) applies to \(tables.map(\.rawValue).joined(separator: " and ")) only, not \(table.rawValue)")
        }
        try only("--symbols", symbols, [.bars])
        try only("--timeframe", timeframe, [.bars, .features])
        try only("--dataset", dataset, [.datasets])
        try only("--run", runID, [.predictions])
        if pairs != nil && table == .bars { throw ValidationError("--pairs does not apply to bars: use --symbols") }
        let pairList = try pairs.map { text in
            try text.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
                let id = part.trimmingCharacters(in: .whitespaces)
                guard PairID(id) != nil else {
                    throw ValidationError(
                        "--pairs: '\(id)' is not a pair id (two symbols joined by __, as ETHUSDT__BTCUSDT)")
                }
                return id
            }
        }
        let from = try since.map { try parseTime($0, flag: "--since") } ?? .min
        let to = try until.map { try parseTime($0, flag: "--until") } ?? .max
        if from > to { throw ValidationError("--since is after --until") }
        return ExportFilter(
            symbols: try symbols.map { try parseSymbols($0) }, pairs: pairList,
            timeframe: try timeframe.map { try parseTimeframe($0) }, from: from, to: to, datasetId: dataset,
            runId: runID)
    }
}
