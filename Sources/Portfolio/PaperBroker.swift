import Backtest
import Foundation
import MarketData
import ModelFormat
import PairResearch

/// The paper broker: books one bar at a time into a `LedgerState`, by the position rule and the
/// sleeve arithmetic the backtest uses (`PositionRule`, `PairSleeve`), so replaying the bars a
/// backtest saw reproduces its trades and returns.
///
/// Sizing, the one rule the backtest's portfolio and the ledger share: the capital is split into
/// equal sleeves, one per pair of the served version, never rebalanced between pairs; a pair's
/// position is its sleeve's equity (× leverage), split over the legs by the decision bar's hedge
/// ratio. A new version re-splits the portfolio's equity over its pairs; a pair it drops is
/// flattened, and its sleeve goes back to the others once flat.
///
/// A bar is booked in this order: mark every priced pair to the bar's close (completing the
/// previous bar's return); apply a new version; sweep released capital; the drawdown stops and the
/// monitor; then for each pair with a signal the position rule decides, the decision due now is
/// filled at this close (exits first, then entries, each entry sized under the caps given what the
/// book already holds). A `degraded` pair opens nothing new and lets what it holds run to the
/// rule's exit; a `stopped` or `dropped` pair is flattened after the fill delay.
public struct PaperBroker: Sendable {
    public var execution: Execution
    public var sizing: AggregationParameters
    public var limits: RiskLimits

    public init(execution: Execution, sizing: AggregationParameters, limits: RiskLimits) {
        self.execution = execution
        self.sizing = sizing
        self.limits = limits
    }

    /// The served version's pairs, as a bar needs them.
    public struct Member: Sendable, Equatable {
        public var pair: String
        public var legA: String
        public var legB: String
        public var expectation: TradeExpectation?

        public init(pair: String, legA: String, legB: String, expectation: TradeExpectation?) {
            self.pair = pair
            self.legA = legA
            self.legB = legB
            self.expectation = expectation
        }
    }

    /// One bar to book: the served version, its signals at the bar (a pair without one is stale
    /// here) and every needed symbol's close at the bar.
    public struct Bar: Sendable {
        public var openTime: Int64
        public var modelVersion: Int
        public var members: [Member]
        public var signals: [String: SignalRecord]
        public var closes: [String: Double]
        /// The day's re-screens, on the first bar of a UTC day (`DailyRescreen`), by pair.
        public var rescreens: [String: Rescreen]

        public init(
            openTime: Int64, modelVersion: Int, members: [Member], signals: [String: SignalRecord],
            closes: [String: Double],
            rescreens: [String: Rescreen] = [:]
        ) {
            self.openTime = openTime
            self.modelVersion = modelVersion
            self.members = members
            self.signals = signals
            self.closes = closes
            self.rescreens = rescreens
        }
    }

    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case notAfterNewest(bar: Int64, newest: Int64)

        public var description: String {
            switch self {
            case .notAfterNewest(let bar, let newest):
                "bar \(UTCTime.format(bar)) is not after the ledger's newest booked bar \(UTCTime.format(newest)): nothing booked"
            }
        }
    }

    /// Books `bar` into `state`. Throws (changing nothing) for a bar at or before the newest booked.
    public func book(_ bar: Bar, into state: inout LedgerState) throws -> LedgerBar {
        if let newest = state.newestBar, bar.openTime <= newest {
            throw Refusal.notAfterNewest(bar: bar.openTime, newest: newest)
        }
        var out = LedgerBar(openTime: bar.openTime, modelVersion: bar.modelVersion)
        let time = bar.openTime
        func price(_ symbol: String) -> Double? { bar.closes[symbol].flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        // Capital moved into a sleeve without P&L: its open trade and the base of its pending
        // bar return are told, so neither books the transfer as a gain or a loss.
        func transfer(_ index: Int, _ amount: Double) {
            state.pairs[index].sleeve.equity += amount
            state.pairs[index].openTrade?.transfers += amount
            if let base = state.pairs[index].equityBeforeFill { state.pairs[index].equityBeforeFill = base + amount }
        }
        func change(_ index: Int, to status: PairStatus, _ reason: String) {
            let from = state.pairs[index].status
            state.pairs[index].reason = reason
            guard from != status else { return }
            state.pairs[index].status = status
            out.events.append(
                LedgerEvent(
                    openTime: time, pair: state.pairs[index].pair, from: from.rawValue, to: status.rawValue,
                    reason: reason))
        }

        // 1. Marks: the previous bar's return is complete at this close.
        var priced = Set<Int>()
        for index in state.pairs.indices {
            let pair = state.pairs[index]
            guard let a = price(pair.legA), let b = price(pair.legB) else {
                if !pair.stale && pair.status != .dropped {
                    out.warnings.append(
                        "\(pair.pair): no closed bar at \(UTCTime.format(time)) for a leg; no new position, marks wait for its next bar"
                    )
                }
                state.pairs[index].stale = true
                continue
            }
            priced.insert(index)
            var pnl = 0.0
            if let lastA = pair.closeA, let lastB = pair.closeB {
                pnl = state.pairs[index].sleeve.mark(growthA: a / lastA, growthB: b / lastB)
            }
            if let lastBar = pair.lastBar, let base = pair.equityBeforeFill, base > 0 {
                out.returns.append(
                    LedgerReturn(pair: pair.pair, openTime: lastBar, ret: state.pairs[index].sleeve.equity / base - 1))
            }
            state.pairs[index].closeA = a
            state.pairs[index].closeB = b
            state.pairs[index].stale = false
            out.pnl[pair.pair] = pnl
        }

        // 2. A new version: its pairs share the portfolio's equity (less what dropped pairs still
        // hold) equally; the others are flattened.
        if state.modelVersion != bar.modelVersion {
            let members = Set(bar.members.map(\.pair))
            for index in state.pairs.indices
            where !members.contains(state.pairs[index].pair) && state.pairs[index].status != .dropped {
                change(index, to: .dropped, "not in version \(bar.modelVersion)")
            }
            for member in bar.members where !state.pairs.contains(where: { $0.pair == member.pair }) {
                state.pairs.append(
                    LedgerPair(
                        pair: member.pair, legA: member.legA, legB: member.legB, modelVersion: bar.modelVersion,
                        expectation: member.expectation))
                if let a = price(member.legA), let b = price(member.legB) {
                    state.pairs[state.pairs.count - 1].closeA = a
                    state.pairs[state.pairs.count - 1].closeB = b
                }
            }
            state.pairs.sort { $0.pair < $1.pair }
            priced = Set(
                state.pairs.indices.filter { price(state.pairs[$0].legA) != nil && price(state.pairs[$0].legB) != nil })
            let expectations = Dictionary(
                bar.members.map { ($0.pair, $0.expectation) }, uniquingKeysWith: { first, _ in first })
            let pool = state.cash + state.pairs.filter { members.contains($0.pair) }.reduce(0) { $0 + $1.sleeve.equity }
            let share = bar.members.isEmpty ? 0 : pool / Double(members.count)
            for index in state.pairs.indices where members.contains(state.pairs[index].pair) {
                transfer(index, share - state.pairs[index].sleeve.equity)
                state.pairs[index].peak = share
                state.pairs[index].modelVersion = bar.modelVersion
                state.pairs[index].monitor = PairMonitor(expectation: expectations[state.pairs[index].pair] ?? nil)
                change(index, to: .ok, "version \(bar.modelVersion) deployed")
            }
            state.cash = bar.members.isEmpty ? pool : 0
            state.modelVersion = bar.modelVersion
            state.deployedAt = time
            state.portfolioStopped = false
            state.portfolioReason = ""
            state.peak = state.equity
        }

        // 3. A dropped pair that is flat gives its capital back to the pairs still trading.
        for index in state.pairs.indices
        where state.pairs[index].status == .dropped && state.pairs[index].sleeve.position == 0
            && state.pairs[index].pending.allSatisfy({ $0.position == 0 }) && state.pairs[index].sleeve.equity != 0
        {
            state.cash += state.pairs[index].sleeve.equity
            state.pairs[index].sleeve.equity = 0
            state.pairs[index].pending.removeAll()
        }
        let trading = state.pairs.indices.filter { state.pairs[$0].status != .dropped }
        if state.cash > 0, !trading.isEmpty {
            let share = state.cash / Double(trading.count)
            for index in trading {
                transfer(index, share)
                state.pairs[index].peak += share
            }
            state.cash = 0
        }

        // 4. Risk: the portfolio's drawdown stop, each pair's, and the monitor's verdict.
        let equity = state.equity
        state.peak = max(state.peak, equity)
        let portfolioDrawdown = state.peak > 0 ? 1 - equity / state.peak : 0
        if !state.portfolioStopped && portfolioDrawdown > limits.maxPortfolioDrawdown {
            state.portfolioStopped = true
            state.portfolioReason =
                "portfolio drawdown \(Self.percent(portfolioDrawdown)) over --max-portfolio-drawdown \(Self.percent(limits.maxPortfolioDrawdown))"
            out.events.append(
                LedgerEvent(openTime: time, pair: "", from: "trading", to: "stopped", reason: state.portfolioReason))
        }
        for index in trading {
            // The daily re-screen: a pair the screen would no longer keep is degraded until it would again.
            if let rescreen = bar.rescreens[state.pairs[index].pair], let passed = rescreen.passed {
                state.pairs[index].screenFailure =
                    passed
                    ? nil
                    : "the daily re-screen of \(UTCTime.format(rescreen.time)) would not keep the pair: \(rescreen.reason ?? "rejected")"
            }
            let pair = state.pairs[index]
            state.pairs[index].peak = max(pair.peak, pair.sleeve.equity)
            let drawdown = state.pairs[index].peak > 0 ? 1 - pair.sleeve.equity / state.pairs[index].peak : 0
            if pair.status != .stopped && state.portfolioStopped {
                change(index, to: .stopped, state.portfolioReason)
            } else if pair.status != .stopped && drawdown > limits.maxDrawdown {
                change(
                    index, to: .stopped,
                    "drawdown \(Self.percent(drawdown)) over --max-drawdown \(Self.percent(limits.maxDrawdown))")
            } else if let failure = pair.screenFailure, pair.status.opensPositions || pair.status == .degraded {
                change(index, to: .degraded, failure)
            } else if pair.status.opensPositions
                || pair.status == .degraded && pair.reason.hasPrefix("the daily re-screen")
            {
                // At the out-of-fold trades' size: a capped or levered position's return, scaled back.
                let open = pair.openTrade.map { $0.running(at: pair.sleeve.equity) / $0.scale }
                let verdict = pair.monitor.verdict(openReturn: open)
                change(index, to: verdict.status, verdict.reason)
            }
        }

        // 5. Decisions: the position rule on each fresh signal; a blocked pair is flattened.
        for index in state.pairs.indices where priced.contains(index) {
            for pending in state.pairs[index].pending.indices { state.pairs[index].pending[pending].barsLeft -= 1 }
            let pair = state.pairs[index]
            let signal = bar.signals[pair.pair].flatMap { $0.modelVersion == bar.modelVersion ? $0 : nil }
            if pair.status == .stopped || pair.status == .dropped || state.portfolioStopped {
                // Flattened after the fill delay; entries still pending are dropped (and everything
                // pending, once flat).
                state.pairs[index].pending.removeAll { $0.position != 0 || pair.sleeve.position == 0 }
                state.pairs[index].decided = 0
                if pair.sleeve.position != 0 && state.pairs[index].pending.isEmpty {
                    let why =
                        state.portfolioStopped
                        ? "stopped: \(state.portfolioReason)" : "\(pair.status.rawValue): \(pair.reason)"
                    state.pairs[index].pending.append(
                        PendingDecision(
                            decidedAt: time, position: 0, beta: 0, barsLeft: execution.delayBars,
                            reason: why))
                }
                continue
            }
            // No signal at this bar (the pair's features lag its bars): nothing decided.
            guard let signal else { continue }
            // A degraded pair opens nothing new; what it holds runs to its exit by the rule.
            let enter =
                (pair.status.opensPositions || pair.status == .degraded && !limits.degradedStopsEntries)
                && signal.signal != 0 && signal.proba >= sizing.minProba
            let decided = PositionRule.next(pair.decided, z: signal.z, enter: enter)
            state.pairs[index].pending.append(
                PendingDecision(
                    decidedAt: time, position: decided, beta: signal.beta,
                    barsLeft: execution.delayBars, reason: nil))
            state.pairs[index].decided = decided
        }
        var before: [Int: Double] = [:]
        for index in priced { before[index] = state.pairs[index].sleeve.equity }

        // 6. Fills at this close: exits first, then entries under the caps.
        var due: [(index: Int, decision: PendingDecision)] = []
        for index in state.pairs.indices where priced.contains(index) {
            let ready = state.pairs[index].pending.filter { $0.barsLeft <= 0 }
            guard let decision = ready.last else { continue }
            state.pairs[index].pending.removeAll { $0.barsLeft <= 0 }
            if decision.position != state.pairs[index].sleeve.position { due.append((index, decision)) }
        }
        for index in state.pairs.indices where !priced.contains(index) {
            if state.pairs[index].pending.contains(where: {
                $0.barsLeft <= 0 && $0.position != state.pairs[index].sleeve.position
            }) {
                out.warnings.append(
                    "\(state.pairs[index].pair): a fill is due but a leg has no price at \(UTCTime.format(time)); retried at its next bar"
                )
            }
        }
        due.sort {
            ($0.decision.position == 0 ? 0 : 1, state.pairs[$0.index].pair) < (
                $1.decision.position == 0 ? 0 : 1, state.pairs[$1.index].pair
            )
        }
        for (index, decision) in due {
            var scale = sizing.leverage
            if decision.position != 0 {
                let room = roomUnderCaps(for: index, target: decision.position, beta: decision.beta, state: state)
                if room < 1 {
                    out.capped = true
                    if room < 1e-9 {
                        out.skipped[state.pairs[index].pair] =
                            "no room under --max-symbol-weight / --max-gross for a new position"
                        // The rule restarts from what is held: the trade it wanted was not made.
                        state.pairs[index].decided = 0
                        // Nor the later decisions that would have held it.
                        state.pairs[index].pending.removeAll()
                        if state.pairs[index].sleeve.position == 0 { continue }
                        scale = 0
                    }
                    scale *= room
                }
            }
            let target = scale == 0 ? 0 : decision.position
            let pair = state.pairs[index]
            guard
                let fill = state.pairs[index].sleeve.fill(
                    to: target, beta: decision.beta, execution: execution, scale: scale)
            else { continue }
            let reason = decision.reason ?? (target == 0 ? "exit" : pair.sleeve.position == 0 ? "entry" : "reversal")
            for (symbol, traded, close) in [
                (pair.legA, fill.tradeA, pair.closeA ?? 0), (pair.legB, fill.tradeB, pair.closeB ?? 0)
            ] where traded != 0 {
                let legCost = fill.cost * abs(traded) / (abs(fill.tradeA) + abs(fill.tradeB))
                out.fills.append(
                    LedgerFill(
                        pair: pair.pair, openTime: time, symbol: symbol, modelVersion: pair.modelVersion,
                        side: traded > 0 ? "buy" : "sell", quantity: abs(traded) / close, price: close,
                        notional: abs(traded), cost: legCost, reason: reason, decidedAt: decision.decidedAt))
            }
            out.costs[pair.pair] = fill.cost
            let cut = OpenTrade.after(fill, at: time, open: pair.openTrade)
            state.pairs[index].openTrade = cut.open
            if let closed = cut.closed {
                out.trades.append(LedgerTrade(pair: pair.pair, modelVersion: pair.modelVersion, trade: closed))
                state.pairs[index].monitor.record(closed.ret / (pair.openTrade?.scale ?? 1))
                if state.pairs[index].status.opensPositions {
                    let verdict = state.pairs[index].monitor.verdict(openReturn: nil)
                    change(index, to: verdict.status, verdict.reason)
                }
            }
        }

        // 7. Each priced pair's row for this bar; the portfolio's.
        for index in state.pairs.indices where priced.contains(index) {
            let pair = state.pairs[index]
            let before = before[index]!
            state.pairs[index].lastBar = time
            state.pairs[index].equityBeforeFill = before
            let signal = bar.signals[pair.pair]
            out.marks.append(
                LedgerMark(
                    pair: pair.pair, openTime: time, modelVersion: pair.modelVersion, position: pair.sleeve.position,
                    decided: pair.decided, equityBefore: before, equity: pair.sleeve.equity,
                    pnl: out.pnl[pair.pair] ?? 0, cost: out.costs[pair.pair] ?? 0, status: pair.status.rawValue,
                    z: signal?.z, proba: signal?.proba, signal: signal?.signal))
        }
        var net: [String: Double] = [:]
        for pair in state.pairs {
            net[pair.legA, default: 0] += pair.sleeve.valueA
            net[pair.legB, default: 0] += pair.sleeve.valueB
        }
        let total = state.equity
        state.peak = max(state.peak, total)
        out.portfolio = PortfolioMark(
            openTime: time, equity: total, peak: state.peak,
            gross: net.keys.sorted().reduce(0) { $0 + abs(net[$1]!) },
            net: net.keys.sorted().reduce(0) { $0 + net[$1]! },
            positions: state.pairs.filter { $0.sleeve.position != 0 }.count,
            stopped: state.portfolioStopped)
        state.newestBar = time
        return out
    }

    /// The ledger as it will be once every pair's decided position is filled, at the newest closes,
    /// in the order and under the caps the fills use: what the orders of the newest bar say to hold.
    public func projected(_ state: LedgerState) -> LedgerState {
        var projected = state
        let order = state.pairs.indices.filter { state.pairs[$0].decided != state.pairs[$0].sleeve.position }
            .sorted {
                (state.pairs[$0].decided == 0 ? 0 : 1, state.pairs[$0].pair) < (
                    state.pairs[$1].decided == 0 ? 0 : 1, state.pairs[$1].pair
                )
            }
        for index in order {
            let target = state.pairs[index].decided
            let beta = state.pairs[index].pending.last?.beta ?? 0
            let room = target == 0 ? 1 : roomUnderCaps(for: index, target: target, beta: beta, state: projected)
            let (a, b) = projected.pairs[index].sleeve.legs(
                for: room > 1e-9 ? target : 0, beta: beta, scale: sizing.leverage * room)
            projected.pairs[index].sleeve.valueA = a
            projected.pairs[index].sleeve.valueB = b
            projected.pairs[index].sleeve.position = room > 1e-9 ? target : 0
        }
        return projected
    }

    /// The largest share (0…1) of a full-size entry that keeps every symbol's |net exposure| within
    /// --max-symbol-weight and the gross within --max-gross of equity × leverage, given what the
    /// book holds (a limit already passed by drift only forbids growing further).
    func roomUnderCaps(for index: Int, target: Double, beta: Double, state: LedgerState) -> Double {
        let pair = state.pairs[index]
        let capital = state.equity * sizing.leverage
        var net: [String: Double] = [:]
        for (other, held) in state.pairs.enumerated() where other != index {
            net[held.legA, default: 0] += held.sleeve.valueA
            net[held.legB, default: 0] += held.sleeve.valueB
        }
        let (a, b) = pair.sleeve.legs(for: target, beta: beta, scale: sizing.leverage)
        func exposures(_ s: Double) -> [String: Double] {
            var book = net
            book[pair.legA, default: 0] += s * a
            book[pair.legB, default: 0] += s * b
            return book
        }
        let symbolLimit = sizing.maxSymbolWeight * capital, grossLimit = sizing.maxGross * capital
        let start = exposures(0)
        let startGross = start.values.reduce(0) { $0 + abs($1) }
        func fits(_ s: Double) -> Bool {
            let book = exposures(s)
            for symbol in [pair.legA, pair.legB]
            where abs(book[symbol]!) > max(symbolLimit, abs(start[symbol]!)) * (1 + 1e-12) {
                return false
            }
            return book.values.reduce(0) { $0 + abs($1) } <= max(grossLimit, startGross) * (1 + 1e-12)
        }
        if fits(1) { return 1 }
        var low = 0.0, high = 1.0
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if fits(middle) { low = middle } else { high = middle }
        }
        return low
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}

/// The drawdown stops.
public struct RiskLimits: Codable, Sendable, Equatable {
    /// A pair whose sleeve falls this far below its peak is flattened and opens nothing more.
    public var maxDrawdown = 0.20
    /// The portfolio likewise: every pair is flattened.
    public var maxPortfolioDrawdown = 0.15
    /// A `degraded` pair opens nothing new (false: the monitor only reports).
    public var degradedStopsEntries = true

    public init(maxDrawdown: Double = 0.20, maxPortfolioDrawdown: Double = 0.15, degradedStopsEntries: Bool = true) {
        self.maxDrawdown = maxDrawdown
        self.maxPortfolioDrawdown = maxPortfolioDrawdown
        self.degradedStopsEntries = degradedStopsEntries
    }
}
