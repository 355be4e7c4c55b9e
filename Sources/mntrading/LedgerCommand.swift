import Basics
import ArgumentParser
import CLISupport
import Foundation
import MarketData
import Portfolio
import Store

/// `mntrading ledger`: what the paper ledger holds and earned, its fills, and re-enabling a pair a
/// stop or the monitor took out of trading.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract:
            "The paper ledger the inference cycles keep: positions, P&L, pair states, fills; re-enable a stopped pair.",
        discussion: """
            Every mntrading-infer cycle books its bar into the ledger (table ledger_* in the data \
            directory's store); a replay (mntrading-infer --replay) keeps its own, which --ledger opens.

            Examples:
              mntrading ledger show
              mntrading ledger fills --csv > fills.csv
              mntrading ledger enable SYNA2USDT__SYNA0USDT
              mntrading ledger enable --all
            """,
        subcommands: [Show.self, Fills.self, Enable.self],
        defaultSubcommand: Show.self
    )

    struct Source: ParsableArguments {
        @OptionGroup var location: LocationOptions

        @Option(help: ArgumentHelp("A replay's ledger file instead of the data directory's.", valueName: "path"))
        var ledger: String?

        func open() throws -> DataStore {
            location.bootstrapLogging()
            if let ledger {
                guard FileManager.default.fileExists(atPath: ledger) else {
                    throw ValidationError("--ledger \(ledger): no such file")
                }
                return try DataStore(path: ledger, schemas: [.portfolio])
            }
            return try location.locations.openStore()
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Equity, drawdown, and each pair's state, position, P&L and trades.")

        @OptionGroup var source: Source

        func run() throws {
            let store = try source.open()
            let (state, pnl, trades) = try store.read { db in
                (try LedgerRecords.state(db), try LedgerRecords.profitAndLoss(in: db), try LedgerRecords.trades(in: db))
            }
            guard let state else {
                print("ledger: nothing booked yet (run mntrading-infer --once)")
                return
            }
            let equity = state.equity
            print(
                "ledger: model \(state.modelName) v\(state.modelVersion.map(String.init) ?? "-") (\(state.modelSource)), newest bar "
                    + "\(state.newestBar.map(UTCTime.format) ?? "-"), equity \(Self.money(equity)), drawdown "
                    + "\(Self.percent(state.peak > 0 ? 1 - equity / state.peak : 0))\(state.portfolioStopped ? ", STOPPED: \(state.portfolioReason)" : "")"
            )
            for pair in state.pairs {
                let earned = pnl.filter { $0.pair == pair.pair }
                let closed = trades.filter { $0.pair == pair.pair }
                print(
                    "  \(pair.pair) \(pair.status.rawValue): position \(Int(pair.sleeve.position)), equity \(Self.money(pair.sleeve.equity)), "
                        + "P&L \(Self.money(earned.reduce(0) { $0 + $1.pnl - $1.costs })) (costs \(Self.money(earned.reduce(0) { $0 + $1.costs }))), "
                        + "\(closed.count) trades\(pair.reason.isEmpty ? "" : "; \(pair.reason)")")
            }
            for version in Set(pnl.map(\.modelVersion)).sorted() {
                let rows = pnl.filter { $0.modelVersion == version }
                print(
                    "  version \(version): P&L \(Self.money(rows.reduce(0) { $0 + $1.pnl - $1.costs })) over \(rows.count) pairs"
                )
            }
        }

        static func money(_ value: Double) -> String { String(format: "%.2f", value) }
        static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
    }

    struct Fills: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The newest fills (pair, bar, symbol, side, quantity, price, cost, why).")

        @OptionGroup var source: Source

        @Option(
            help: ArgumentHelp("How many, newest first.", valueName: "n"),
            transform: NumberRule.whole(1...1_000_000).parse)
        var limit = 50

        @Flag(help: "CSV with a header, for a spreadsheet.")
        var csv = false

        func run() throws {
            let fills = try source.open().read { db in try LedgerRecords.fills(limit: limit, in: db) }
            print(
                csv
                    ? LedgerRecords.csv(fills)
                    : fills.map { f in
                        "\(UTCTime.format(f.openTime)) \(f.pair) \(f.side) \(f.quantity) \(f.symbol) at \(f.price) (notional \(Show.money(f.notional)), "
                            + "cost \(Show.money(f.cost)), v\(f.modelVersion)): \(f.reason)"
                    }.joined(separator: "\n"), terminator: csv || fills.isEmpty ? "" : "\n")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a stopped or degraded pair trade again (its peak and monitor restart from now).",
            discussion:
                "A new model version re-enables its pairs on its own; this is for a person who has looked at why it stopped."
        )

        @OptionGroup var source: Source
        @OptionGroup var lock: CycleLockOptions

        @Argument(help: ArgumentHelp("The pair (<A>__<B>).", valueName: "pair"))
        var pair: String?

        @Flag(help: "Every stopped or degraded pair, and the portfolio's stop.")
        var all = false

        func validate() throws {
            if (pair == nil) == !all { throw ValidationError("name one pair, or --all") }
        }

        func run() throws {
            let store = try source.open()
            let enabled = try lock.whileHolding(source.location.locations) {
                do {
                    return try store.write { db in
                        try LedgerRecords.enable(pair: pair, at: UTCTime.nowMilliseconds(), in: db)
                    }
                } catch let mismatch as LedgerRecords.Mismatch {
                    throw ValidationError(mismatch.description)
                }
            }
            print(
                enabled.isEmpty
                    ? "ledger: nothing was stopped or degraded"
                    : "ledger: re-enabled \(enabled.joined(separator: ", "))")
        }
    }
}
