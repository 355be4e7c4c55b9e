import Basics
import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Store

/// Inserts scored signals and books every bar after the ledger's newest through the paper broker,
/// in one transaction of the ledger's store: the one path the live cycle and a replay share, so a
/// replay makes each decision as the live loop would.
struct LedgerBooking {
    /// Where the bars are read (the closes the broker fills and marks at).
    let bars: DataStore
    /// Where the signals and the ledger are written: the data directory's store, or a replay's own.
    let ledger: DataStore
    let broker: PaperBroker
    let timeframe: Timeframe
    let model: ModelMetadata
    /// The models directory the ledger is kept for (a ledger never books another).
    let modelSource: String
    /// The daily re-screen (nil: this store lacks the training run's screen).
    var rescreen: DailyRescreen? = nil

    struct Outcome {
        var inserted: Int
        var booked: [LedgerBar]
        var state: LedgerState
        /// The open time of the newest signal stored before this insert.
        var previousNewestSignal: Int64?
        /// The signals of the newest booked bar, by pair.
        var newestSignals: [String: SignalRecord]
        /// Re-screens that would no longer keep their pair.
        var rescreens = 0
    }

    var members: [PaperBroker.Member] {
        model.pairs.map { member in
            PaperBroker.Member(
                pair: member.pair, legA: member.legs.first ?? "", legB: member.legs.dropFirst().first ?? "",
                expectation: member.metrics?.tradeExpectation)
        }
    }

    /// The ledger's newest booked bar (nil: nothing booked), after checking it belongs to this model.
    func newestBooked() throws -> Int64? {
        try ledger.read { db in try open(db).newestBar }
    }

    /// The ledger's state; another model's ledger is bad input (65), not a crash.
    func open(_ db: Database) throws -> LedgerState {
        do {
            return try LedgerRecords.open(
                db, modelName: model.name, modelSource: modelSource, capital: broker.sizing.equity)
        } catch let mismatch as LedgerRecords.Mismatch {
            throw InferenceError.invalidInput(mismatch.description)
        }
    }

    /// `records`: the scored rows of any number of bars. Bars at or before the ledger's newest are
    /// not booked again (their signals are inserted once, as before).
    func book(_ records: [SignalRecord], transactionBars: Int = .max) throws -> Outcome {
        let current = try ledger.read { db in try open(db) }
        let newest = current.newestBar ?? .min
        let byBar = Dictionary(grouping: records.filter { $0.openTime > newest }, by: \.openTime)
        // A bar some scored pair lacks (a leg's bar arrives late) waits for the next cycle, so that
        // pair's decision is not lost; after three bars of waiting it is booked with the pair
        // stale. A pair with no row at all (no features yet) holds nothing up.
        let scored = Set(byBar.values.joined().map(\.pair))
        let complete = byBar.filter { Set($0.value.map(\.pair)).isSuperset(of: scored) }.keys.max() ?? .min
        let cutoff = max(complete, byBar.keys.max().map { $0 - 3 * timeframe.milliseconds } ?? .min)
        let times = byBar.keys.filter { $0 <= cutoff }.sorted()
        var symbols = Set(model.pairs.flatMap(\.legs))
        for pair in current.pairs
        where pair.status != .dropped || pair.sleeve.position != 0 || pair.sleeve.equity != 0 || !pair.pending.isEmpty {
            symbols.formUnion([pair.legA, pair.legB])
        }
        var closes: [Int64: [String: Double]] = [:]
        if let first = times.first, let last = times.last {
            for symbol in symbols {
                for bar in try bars.bars(symbol: symbol, timeframe: timeframe, from: first, to: last) {
                    closes[bar.openTime, default: [:]][symbol] = bar.close
                }
            }
        }
        let members = self.members
        var outcome = Outcome(inserted: 0, booked: [], state: current, previousNewestSignal: nil, newestSignals: [:])
        var remaining = times[...]
        var first = true
        repeat {
            let chunk = remaining.prefix(transactionBars)
            remaining = remaining.dropFirst(chunk.count)
            try ledger.write { db in
                var state = try open(db)
                // Every signal goes in with the first bars (those of a bar that waits included): a
                // replay's later transactions book bars whose signals are already stored.
                if first {
                    outcome.previousNewestSignal = try SignalRecords.newestOpenTime(db)
                    outcome.inserted = try SignalRecords.insert(records, in: db)
                }
                for time in chunk {
                    let signals = byBar[time]!
                    let version = signals[0].modelVersion
                    var bar = PaperBroker.Bar(
                        openTime: time, modelVersion: version, members: members,
                        signals: Dictionary(signals.map { ($0.pair, $0) }, uniquingKeysWith: { first, _ in first }),
                        closes: closes[time] ?? [:])
                    let day = time - time % 86_400_000
                    if let rescreen, state.rescreenedDay != day {
                        bar.rescreens = try rescreen.check(members.map { PairID(a: $0.legA, b: $0.legB) }, at: day)
                        outcome.rescreens += bar.rescreens.values.filter { $0.passed == false }.count
                        state.rescreenedDay = day
                    }
                    let booked = try broker.book(bar, into: &state)
                    try LedgerRecords.write(booked, state: state, in: db)
                    outcome.booked.append(booked)
                    outcome.newestSignals = bar.signals
                }
                outcome.state = state
            }
            first = false
        } while !remaining.isEmpty
        return outcome
    }
}
