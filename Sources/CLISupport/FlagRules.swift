import Basics

// The ranges of the batch side's numeric flags, one per concept, so that a flag shared by
// several commands (`--fee-rate` on train, backtest and pipeline) takes the same values
// everywhere. The library's own checks (`Execution.validate`, `CrossValidation.validate`) hold
// the same bounds for callers that do not come through a flag.

extension NumberRule where Value == Double {
    /// The holdout: 0 (none) to a century.
    public static let days = number(0...36_500, unit: "days")
    /// Fee per unit of notional, per leg.
    public static let feeRate = number(0...0.1)
    public static let slippageBps = number(0...1_000, unit: "basis points")
    /// A |z| stretch.
    public static let zThreshold = number(above: 0, atMost: 100)
    /// A Sharpe ratio floor.
    public static let sharpe = number(-1_000...1_000)
    /// A p-value ceiling.
    public static let pvalue = number(above: 0, atMost: 1)
    /// A drawdown stop or cap: more than nothing, at most all of it.
    public static let drawdown = number(above: 0, atMost: 1)
}

extension NumberRule where Value == Int {
    /// XGBoost threads.
    public static let threads = whole(1...1_024)
    /// Attempts per HTTP request.
    public static let attempts = whole(1...100)
    /// A rolling window (β, z).
    public static let window = whole(10...1_000_000, unit: "bars")
    /// Days of bars a pipeline window spans.
    public static let wholeDays = whole(1...36_500, unit: "days")
    public static let fillDelay = whole(0...100, unit: "bars")
    /// Boosting rounds.
    public static let rounds = whole(1...100_000)
    /// A count of rows or bars.
    public static let rows = whole(1...1_000_000_000, unit: "rows")
    /// Walk-forward folds.
    public static let splits = whole(2...100)
    public static let minTrainRows = whole(20...1_000_000_000, unit: "rows")
    /// Bars a label looks ahead.
    public static let horizon = whole(1...10_000, unit: "bars")
    public static let lagFeatures = whole(0...200)
    /// A count of pairs kept.
    public static let topK = whole(1...100_000)
}
