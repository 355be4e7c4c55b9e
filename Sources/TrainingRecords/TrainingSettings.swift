import Foundation
import ModelFormat

/// How a training run trains: the settings recorded with the run (`training_runs.parameters`).
public struct TrainingSettings: Codable, Sendable, Equatable {
    public var crossValidation = CrossValidation()
    public var fit = FitSettings()
    public var candidates = Candidate.defaultGrid
    public var calibration: Calibration.Method = .platt
    /// Calibrated probability at or above which the model takes a position.
    public var probaThreshold = 0.6
    /// |z| at which the plain z rule (the baseline) takes a position.
    public var zRuleThreshold = 1.2
    /// Smallest |z| at which the model may enter: the label's own stretch for labels defined on
    /// stretched bars only (set from the dataset), so the model never trades bars it was not
    /// trained or scored on.
    public var entryZ = 0.0
    public var execution = Execution()
    public var barsPerYear = 365.0 * 288
    /// Fewest labelled rows a pair needs.
    public var minRows = 500
    /// The final days of the data that no choice sees: the champion is refitted before them and
    /// scored on them once.
    public var holdoutDays = 30.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case crossValidation, fit, candidates, calibration, probaThreshold, zRuleThreshold, entryZ, execution,
            barsPerYear, minRows, holdoutDays
    }

    /// Settings stored before a field existed decode with that field's default.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingSettings()
        crossValidation =
            try container.decodeIfPresent(CrossValidation.self, forKey: .crossValidation) ?? defaults.crossValidation
        fit = try container.decodeIfPresent(FitSettings.self, forKey: .fit) ?? defaults.fit
        candidates = try container.decodeIfPresent([Candidate].self, forKey: .candidates) ?? defaults.candidates
        calibration =
            try container.decodeIfPresent(Calibration.Method.self, forKey: .calibration) ?? defaults.calibration
        probaThreshold = try container.decodeIfPresent(Double.self, forKey: .probaThreshold) ?? defaults.probaThreshold
        zRuleThreshold = try container.decodeIfPresent(Double.self, forKey: .zRuleThreshold) ?? defaults.zRuleThreshold
        entryZ = try container.decodeIfPresent(Double.self, forKey: .entryZ) ?? 0
        execution =
            try container.decodeIfPresent(Execution.self, forKey: .execution) ?? Execution(slippageBps: 0, delayBars: 0)
        barsPerYear = try container.decodeIfPresent(Double.self, forKey: .barsPerYear) ?? defaults.barsPerYear
        minRows = try container.decodeIfPresent(Int.self, forKey: .minRows) ?? defaults.minRows
        holdoutDays = try container.decodeIfPresent(Double.self, forKey: .holdoutDays) ?? 0
    }
}
