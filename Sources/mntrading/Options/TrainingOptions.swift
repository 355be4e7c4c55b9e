import ArgumentParser
import Basics
import CLISupport
import TrainingRecords

/// The training flags `train` and `pipeline` share, defaults from the settings types: the folds,
/// the holdout and the model fits. (The fits' seed is `train`'s alone: in the pipeline `--seed` is
/// the synthetic market's.)
struct TrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Walk-forward folds.", valueName: "n"), transform: NumberRule.splits.parse) var nSplits =
        CrossValidation().splits
    @Option(
        help: ArgumentHelp("Embargo bars between training data and each test fold.", valueName: "bars"),
        transform: NumberRule.whole(0...1_000_000, unit: "bars").parse) var gap = CrossValidation().gap
    @Option(
        help: ArgumentHelp("Fewest rows any fold's model is fitted on.", valueName: "rows"),
        transform: NumberRule.minTrainRows.parse) var minTrainRows = CrossValidation().minTrainRows
    @Option(
        help: ArgumentHelp("Sliding window: at most this many training rows (default: expanding).", valueName: "rows"),
        transform: NumberRule.rows.parse) var maxTrainSize: Int?
    @Option(
        help: ArgumentHelp(
            "Final days no choice sees, scored once at the end (0: none; select then refuses).", valueName: "days"),
        transform: NumberRule.days.parse) var holdoutDays = TrainingSettings().holdoutDays
    @Option(
        help: ArgumentHelp("Stop boosting after this many rounds without improvement.", valueName: "rounds"),
        transform: NumberRule.rounds.parse) var earlyStoppingRounds = FitSettings().earlyStoppingRounds
    @Option(
        help: ArgumentHelp("Upper bound on boosting rounds.", valueName: "rounds"), transform: NumberRule.rounds.parse)
    var maxRounds = FitSettings().maxRounds
    @Option(help: ArgumentHelp("Candidate kinds to try (default: all).", valueName: "gbdt,rf,logistic"))
    var kinds: String?
    @Option(
        help: ArgumentHelp("XGBoost threads (default: all cores).", valueName: "n"), transform: NumberRule.threads.parse
    )
    var threads: Int?

    /// These flags over `settings` (what the rest of it holds is the caller's).
    func apply(to settings: inout TrainingSettings) throws {
        settings.crossValidation.splits = nSplits
        settings.crossValidation.gap = gap
        settings.crossValidation.minTrainRows = minTrainRows
        settings.crossValidation.maxTrainSize = maxTrainSize
        settings.holdoutDays = holdoutDays
        settings.fit.earlyStoppingRounds = earlyStoppingRounds
        settings.fit.maxRounds = maxRounds
        if let threads { settings.fit.threads = threads }
        if let kinds { settings.candidates = try Candidate.grid(kinds: kinds) }
    }

    func validate() throws {
        try asUsageError {
            var settings = TrainingSettings()
            try apply(to: &settings)
            try settings.crossValidation.validate()
        }
    }
}
