import Basics
import Foundation

public struct CrossValidation: Codable, Sendable, Equatable {
    /// Scored folds: exactly this many, or the pair is skipped with the reason.
    public var splits = 5
    /// Embargo in bars between the end of training data and the test fold.
    public var gap = 24
    /// Sliding window: at most this many training rows (nil: expanding window).
    public var maxTrainSize: Int?
    /// Label horizon in bars: a training row whose label looks into the validation or test bars is purged.
    public var horizon = 3
    /// Share of each training window kept back, at its end, for early stopping.
    public var validationFraction = 0.15
    /// Fewest rows any fold's model is fitted on.
    public var minTrainRows = 200

    public init() {}

    enum CodingKeys: String, CodingKey { case splits, gap, maxTrainSize, horizon, validationFraction, minTrainRows }

    /// Settings stored before a field existed decode with that field's default.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = CrossValidation()
        splits = try container.decodeIfPresent(Int.self, forKey: .splits) ?? defaults.splits
        gap = try container.decodeIfPresent(Int.self, forKey: .gap) ?? defaults.gap
        maxTrainSize = try container.decodeIfPresent(Int.self, forKey: .maxTrainSize)
        horizon = try container.decodeIfPresent(Int.self, forKey: .horizon) ?? defaults.horizon
        validationFraction =
            try container.decodeIfPresent(Double.self, forKey: .validationFraction) ?? defaults.validationFraction
        minTrainRows = try container.decodeIfPresent(Int.self, forKey: .minTrainRows) ?? defaults.minTrainRows
    }

    public func validate() throws {
        try SettingError.check(splits >= 2, "splits", "must be at least 2 (got \(splits))")
        try SettingError.check(gap >= 0, "gap", "must not be negative (got \(gap))")
        try SettingError.check(minTrainRows >= 20, "min_train_rows", "must be at least 20 (got \(minTrainRows))")
        if let maxTrainSize {
            try SettingError.check(
                maxTrainSize >= minTrainRows, "max_train_size",
                "must be at least the fewest training rows, \(minTrainRows) (got \(maxTrainSize))")
        }
    }
}

/// One walk-forward fold, as ranges of row indices in time order.
public struct Fold: Sendable, Equatable, Codable {
    public var index: Int
    /// Rows the model is fitted on.
    public var fit: Range<Int>
    /// Rows for early stopping: after `fit`, before the embargo.
    public var validation: Range<Int>
    public var test: Range<Int>
}

extension CrossValidation {
    /// Walk-forward folds over time-ordered rows, `rowBars[i]` being row i's bar index (rows may
    /// skip bars: a label may be defined on some bars only). The rows are cut into splits + 1
    /// blocks and fold k tests on block k + 1, training on what precedes it. Purge and embargo are
    /// in bars: a training row's label window (its bar + horizon) ends before the first validation
    /// or test bar, and training ends at least `gap` bars before the test.
    ///
    /// Exactly `splits` folds, each fitted on at least `minTrainRows` rows, or an error that says
    /// how many rows that would take.
    public func folds(rowBars: [Int]) throws -> [Fold] {
        let rows = rowBars.count
        let block = rows / (splits + 1)
        func shortage(_ detail: String) -> TrainingError {
            .insufficientData(
                "\(splits) walk-forward folds of at least \(minTrainRows) fitted rows need about \(rowsNeeded()) labelled rows before the holdout; this pair has \(rows) (\(detail))"
            )
        }
        guard block > 0 else { throw shortage("fewer rows than folds") }
        var folds: [Fold] = []
        for k in 0..<splits {
            let testStart = block * (k + 1)
            let testEnd = k == splits - 1 ? rows : testStart + block
            let testBar = rowBars[testStart]
            let trainEnd = Self.count(rowBars, below: testBar - max(gap, horizon))
            var trainStart = 0
            if let maxTrainSize { trainStart = max(0, trainEnd - maxTrainSize) }
            let validationLength = Int(Double(trainEnd - trainStart) * validationFraction)
            let validationStart = trainEnd - validationLength
            // The fitted rows' labels end before the validation slice's first bar.
            let fitEnd =
                validationLength > 0
                ? min(validationStart, Self.count(rowBars, below: rowBars[validationStart] - horizon)) : trainEnd
            guard fitEnd - trainStart >= minTrainRows else {
                throw shortage("fold \(k + 1) would fit on \(max(fitEnd - trainStart, 0))")
            }
            folds.append(
                Fold(
                    index: k, fit: trainStart..<fitEnd, validation: validationStart..<trainEnd,
                    test: testStart..<testEnd))
        }
        return folds
    }

    /// Rows whose bar is < `bar` (rowBars is increasing).
    static func count(_ rowBars: [Int], below bar: Int) -> Int {
        var low = 0, high = rowBars.count
        while low < high {
            let middle = (low + high) / 2
            if rowBars[middle] < bar { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Labelled rows the folds need when rows are consecutive bars (a lower bound otherwise).
    public func rowsNeeded() -> Int {
        let purge = max(gap, horizon)
        let window = Int((Double(minTrainRows + horizon) / max(1 - validationFraction, 0.05)).rounded(.up)) + 1
        return (purge + window) * (splits + 1)
    }
}
