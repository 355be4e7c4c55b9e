import Foundation
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

/// Guardrails a pair must pass to be deployed. nil disables one; with all of them off the
/// selection is recorded as made without guardrails.
///
/// The defaults rest on money after costs out of sample, never on AUC alone: a positive
/// out-of-fold Sharpe with enough trades, a Deflated Sharpe Ratio that survives the number of
/// trials the run took, and a positive Sharpe on the holdout, which no choice saw.
public struct SelectionRules: Codable, Sendable, Equatable {
    /// Out-of-fold Sharpe after costs (annualised) must exceed this.
    public var sharpeMin: Double? = 0
    /// Fewest out-of-fold trades.
    public var minTrades: Int? = 10
    /// Deflated Sharpe Ratio (probability that the out-of-fold Sharpe beats the best of the run's
    /// trials without skill) must reach this.
    public var deflatedSharpeMin: Double? = 0.95
    /// Holdout Sharpe after costs must exceed this.
    public var holdoutSharpeMin: Double? = 0
    public var maxDrawdownMax: Double? = 0.5
    /// Optional: out-of-fold ROC-AUC must exceed this (never a reason to select on its own).
    public var aucMin: Double?
    public var topK = 20

    public init() {}

    public static var none: SelectionRules {
        var rules = SelectionRules()
        rules.sharpeMin = nil
        rules.minTrades = nil
        rules.deflatedSharpeMin = nil
        rules.holdoutSharpeMin = nil
        rules.maxDrawdownMax = nil
        rules.aucMin = nil
        return rules
    }

    public var hasGuardrails: Bool {
        sharpeMin != nil || minTrades != nil || deflatedSharpeMin != nil || holdoutSharpeMin != nil
            || maxDrawdownMax != nil || aucMin != nil
    }

    public static let noGuardrailsWarning =
        "no guardrails: every trained pair is selected, weak and in-sample ones included; the selection is recorded as made without guardrails"
}
