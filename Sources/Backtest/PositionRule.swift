import Foundation

/// The one rule by which a pair's position follows its signals, stepped bar by bar by the backtest
/// (`Backtest.modelPositions`, `zRulePositions`) and by the paper broker (`PaperBroker`), so the
/// live loop holds what the backtest held.
///
/// A position is taken against the stretch (−sign z) on a bar whose entry condition holds, and held
/// until the spread reaches or crosses its mean (z on the other side, or 0); on that bar it is
/// closed, and a new one may open at once if the entry condition holds there (a reversal). The
/// side comes from z, never from whoever reported the entry, so a signal cannot reverse a trade.
public enum PositionRule {
    /// The position after bar t, given the position after bar t−1, bar t's z, and whether bar t's
    /// entry condition holds. −1, 0 or +1 (+1 = long the spread).
    public static func next(_ position: Double, z: Double, enter: Bool) -> Double {
        var position = position
        if position != 0 && position * z >= 0 { position = 0 }
        if position == 0 && z != 0 && z.isFinite && enter { position = z > 0 ? -1 : 1 }
        return position
    }
}
