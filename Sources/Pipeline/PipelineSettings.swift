import Foundation
import GRDB
import HTTPClient
import MarketData
import ModelFormat
import PairResearch
import Basics
import Store
import Training
import TrainingRecords

/// Everything `mntrading pipeline` needs to run the batch side end to end.
public struct PipelineSettings: Sendable {
    /// Synthetic or binance.
    public var bars = BarSourceSettings()
    /// Binance: the universe to screen (synthetic: every symbol of the market).
    public var symbols: [String] = []
    /// Days of 1h bars the screen looks at, ending where the 5m training data begins.
    public var screeningDays = 180
    /// Days of 5m bars for the features' warm-up, the walk-forward folds and the holdout.
    public var trainingDays = 365
    /// The screen's rules, keeping `screenTopK` pairs.
    public var screening = ScreeningParameters(topK: screenTopK)
    public var features = FeatureParameters()
    public var dataset = DatasetDefinition()
    public var training = TrainingSettings()
    public var selection = SelectionRules()
    public var routerName = ModelStore.defaultModelName
    public var alias = ModelStore.defaultAlias
    /// Redo every stage even when its inputs have not changed.
    public var force = false

    /// The pipeline trains every pair its screen keeps, so it keeps fewer than a screen run by
    /// hand (`ScreeningParameters().topK`), which is read before anything is trained.
    public static let screenTopK = 10

    public init() {}
}
