import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Basics

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write stored bars to CSV (one file per symbol, readable by `ingest --source csv`).",
        discussion:
            "Files go to <data-dir>/exports/<SYMBOL>_<timeframe>.csv, replaced atomically; --stdout prints instead."
    )

    @OptionGroup var location: LocationOptions

    @Option(help: ArgumentHelp("Comma-separated symbols to export.", valueName: "A,B"))
    var symbols: String

    @Option(help: "Bar length to export.")
    var timeframe: String = "1h"

    @Option(help: ArgumentHelp("First open time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Last open time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var until: String?

    @Flag(help: "Print the CSV to standard output instead of writing files (one symbol only).")
    var stdout = false

    func validate() throws {
        _ = try parseTimeframe(timeframe)
        _ = try parseSymbols(symbols)
        _ = try since.map { try parseTime($0, flag: "--since") }
        _ = try until.map { try parseTime($0, flag: "--until") }
    }

    func run() throws {
        location.bootstrapLogging()
        let timeframe = try parseTimeframe(timeframe)
        let symbolList = try parseSymbols(symbols)
        if stdout && symbolList.count != 1 { throw ValidationError("--stdout exports exactly one symbol") }
        let from = try since.map { try parseTime($0, flag: "--since") } ?? .min
        let to = try until.map { try parseTime($0, flag: "--until") } ?? .max
        let store = try location.locations.openProjectStore()
        for symbol in symbolList {
            let bars = try store.bars(symbol: symbol, timeframe: timeframe, from: from, to: to)
            guard !bars.isEmpty else {
                throw MarketDataError.invalidArgument("no \(timeframe) bars stored for \(symbol) in that range")
            }
            let text = BarCSV.render(bars)
            if stdout {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                let path = location.locations.dataPath("exports", "\(symbol)_\(timeframe.rawValue).csv")
                try AtomicFile.write(text, to: path)
                print("\(symbol) \(timeframe): \(bars.count) bars → \(path)")
            }
        }
    }
}
