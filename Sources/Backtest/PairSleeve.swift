import Foundation
import ModelFormat

/// One pair's capital and what it holds, as a broker books it: the backtest and the paper broker
/// both fill and mark through this type, so their returns are the same arithmetic.
///
/// A position p (+1 = long the spread: long A, short β·B) is opened at a fill with the hedge ratio
/// of the decision's bar: leg A gets p·E/(1+|β|) of notional, leg B −p·sign(β)·E·|β|/(1+|β|), where
/// E is the sleeve's equity marked at that close (times `scale`, below 1 when a risk cap binds).
/// The legs are then held as quantities: each bar they grow with their prices, and the hedge is not
/// rebalanced until the next fill. Every fill pays fee and slippage on the notional each leg
/// trades (a reversal trades both the close and the open).
public struct PairSleeve: Codable, Sendable, Equatable {
    /// Marked value of the sleeve: its starting capital plus every mark's P&L, less every cost.
    public var equity: Double
    /// The held position's side: −1, 0 or +1.
    public var position = 0.0
    /// Signed market value of each leg (+ long), as of the last mark or fill.
    public var valueA = 0.0
    public var valueB = 0.0

    public init(equity: Double) { self.equity = equity }

    /// Marks the legs to a new close: `growthA` is price now / price at the last mark. Returns the P&L.
    @discardableResult
    public mutating func mark(growthA: Double, growthB: Double) -> Double {
        guard valueA != 0 || valueB != 0 else { return 0 }
        let pnl = valueA * (growthA - 1) + valueB * (growthB - 1)
        valueA *= growthA
        valueB *= growthB
        equity += pnl
        return pnl
    }

    /// The signed leg values of a position `target` opened now with hedge ratio `beta`.
    public func legs(for target: Double, beta: Double, scale: Double = 1) -> (a: Double, b: Double) {
        guard target != 0 else { return (0, 0) }
        let notional = target * equity * scale
        // Long the spread A − β·B: buy A; sell B when β ≥ 0, buy it when β < 0.
        let bSign: Double = beta >= 0 ? -1 : 1
        return (notional / (1 + abs(beta)), bSign * notional * abs(beta) / (1 + abs(beta)))
    }

    /// Moves the sleeve to `target` at this close; nil when it already holds that side.
    public mutating func fill(to target: Double, beta: Double, execution: Execution, scale: Double = 1) -> SleeveFill? {
        guard target != position else { return nil }
        let (a, b) = legs(for: target, beta: beta, scale: scale)
        let tradeA = a - valueA, tradeB = b - valueB
        let cost = (abs(tradeA) + abs(tradeB)) * execution.perUnitTraded
        let closing = min(cost, (abs(valueA) + abs(valueB)) * execution.perUnitTraded)
        let fill = SleeveFill(
            from: position, to: target, beta: beta, scale: scale, tradeA: tradeA, tradeB: tradeB,
            closingCost: closing, openingCost: cost - closing, equityBefore: equity)
        valueA = a
        valueB = b
        position = target
        equity -= cost
        return fill
    }
}

/// What one fill of a sleeve did.
public struct SleeveFill: Codable, Sendable, Equatable {
    public var from: Double
    public var to: Double
    public var beta: Double
    public var scale: Double
    /// Signed notional traded per leg (+ bought).
    public var tradeA: Double
    public var tradeB: Double
    /// Costs of closing the old position and of opening the new one.
    public var closingCost: Double
    public var openingCost: Double
    /// The sleeve's equity at the close, before this fill's costs.
    public var equityBefore: Double

    public var cost: Double { closingCost + openingCost }
}

/// A round trip: from the fill that opened a position to the fill that closed it. The return is the
/// sleeve's equity after the closing fill's cost over its equity before the opening fill, less 1:
/// both fills' costs included, the cost of a reversal's new position left to the next trade.
public struct ClosedTrade: Codable, Sendable, Equatable {
    /// Open times of the opening and the closing fill's bars.
    public var entryTime: Int64
    public var exitTime: Int64
    /// −1 or +1.
    public var side: Double
    public var ret: Double

    public init(entryTime: Int64, exitTime: Int64, side: Double, ret: Double) {
        self.entryTime = entryTime
        self.exitTime = exitTime
        self.side = side
        self.ret = ret
    }

    enum CodingKeys: String, CodingKey { case entryTime, exitTime, side, ret = "return" }
}

/// The trade a sleeve holds open, and how trades are cut from its fills.
public struct OpenTrade: Codable, Sendable, Equatable {
    public var entryTime: Int64
    public var side: Double
    public var equityBefore: Double
    /// The opening fill's size against a full-size position (leverage × any cap's share).
    public var scale = 1.0
    /// Capital moved into (+) or out of the sleeve while the trade was open (a new version's
    /// re-split): not the trade's P&L.
    public var transfers = 0.0

    public init(entryTime: Int64, side: Double, equityBefore: Double, scale: Double = 1, transfers: Double = 0) {
        self.entryTime = entryTime
        self.side = side
        self.equityBefore = equityBefore
        self.scale = scale
        self.transfers = transfers
    }

    /// The running return with the sleeve at `equity`, transfers aside.
    public func running(at equity: Double) -> Double { (equity - transfers) / equityBefore - 1 }

    /// The trade `fill` closes (if any) and the one it opens (if any), given the one open before it.
    public static func after(_ fill: SleeveFill, at time: Int64, open: OpenTrade?) -> (
        closed: ClosedTrade?, open: OpenTrade?
    ) {
        var closed: ClosedTrade?
        if let open, fill.from != 0 {
            closed = ClosedTrade(
                entryTime: open.entryTime, exitTime: time, side: open.side,
                ret: open.running(at: fill.equityBefore - fill.closingCost))
        }
        let opened =
            fill.to != 0
            ? OpenTrade(
                entryTime: time, side: fill.to, equityBefore: fill.equityBefore - fill.closingCost, scale: fill.scale)
            : nil
        return (closed, opened)
    }
}

extension TradeExpectation {
    /// From a backtest's closed trades over bars `times` (open times, ms).
    public init?(trades closed: [ClosedTrade], times: [Int64], maxDrawdown: Double) {
        guard let first = times.first, let last = times.last else { return nil }
        self.init(
            returns: closed.map(\.ret), holdingMinutes: closed.map { Double($0.exitTime - $0.entryTime) / 60_000 },
            days: Double(last - first) / 86_400_000, maxDrawdown: maxDrawdown)
    }
}
