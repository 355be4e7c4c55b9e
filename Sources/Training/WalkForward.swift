import Foundation

public struct CrossValidation: Codable, Sendable, Equatable {
    public var splits = 5
    /// Embargo in rows between the end of training data and the test fold.
    public var gap = 24
    /// Sliding window: at most this many training rows (nil: expanding window).
    public var maxTrainSize: Int?
    /// Label horizon in rows: a training row whose label looks into the test fold is purged.
    public var horizon = 3
    /// Share of each training window kept back, at its end, for early stopping.
    public var validationFraction = 0.15

    public init() {}

    public func validate() throws {
        guard splits >= 2 else { throw TrainingError.invalidArgument("--n-splits must be at least 2 (got \(splits))") }
        guard gap >= 0 else { throw TrainingError.invalidArgument("--gap must not be negative (got \(gap))") }
        if let maxTrainSize { guard maxTrainSize >= 50 else { throw TrainingError.invalidArgument("--max-train-size must be at least 50 (got \(maxTrainSize))") } }
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
    /// Walk-forward folds over `rows` time-ordered rows: the data is cut into splits + 1 blocks and
    /// fold k tests on block k + 1, training on what precedes it. Every training or validation row
    /// i satisfies i + horizon < (start of the next range it precedes) and the last training row
    /// ends `gap` rows before the test, so no label window reaches into validation or test data.
    public func folds(rows: Int) -> [Fold] {
        let block = rows / (splits + 1)
        guard block > 0 else { return [] }
        var folds: [Fold] = []
        for k in 0..<splits {
            let testStart = block * (k + 1)
            let testEnd = k == splits - 1 ? rows : testStart + block
            // Embargo and purge: training data ends gap rows, and at least horizon rows, before the test.
            let trainEnd = testStart - max(gap, horizon + 1)
            var trainStart = 0
            if let maxTrainSize { trainStart = max(0, trainEnd - maxTrainSize) }
            guard trainEnd - trainStart > 10 else { continue }
            let validationLength = Int(Double(trainEnd - trainStart) * validationFraction)
            let validationStart = trainEnd - validationLength
            // The fitted rows stop `horizon` rows before the validation slice, so their labels do not see it.
            let fitEnd = validationLength > 0 ? validationStart - (horizon + 1) : trainEnd
            guard fitEnd - trainStart > 10 else { continue }
            folds.append(Fold(index: folds.count, fit: trainStart..<fitEnd, validation: validationStart..<trainEnd,
                              test: testStart..<testEnd))
        }
        return folds
    }
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case insufficientData(String)

    public var description: String {
        switch self {
        case let .invalidArgument(message), let .insufficientData(message): message
        }
    }
}
