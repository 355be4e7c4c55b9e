import ArgumentParser
import Basics
import CLISupport
import PairResearch

/// What a dataset's label asks and the lags beside it: `dataset` and `pipeline` take the same flags.
struct LabelOptions: ParsableArguments {
    @Option(help: "Label: z_threshold, trade_outcome, revert_direction or vol_scaled.")
    var labelType = DatasetDefinition().labelType
    @Option(
        help: ArgumentHelp("Bars ahead the label looks (trade_outcome: the longest hold).", valueName: "bars"),
        transform: NumberRule.horizon.parse) var horizon = DatasetDefinition().horizon
    @Option(
        help: ArgumentHelp("Lagged copies of z and z velocity.", valueName: "n"),
        transform: NumberRule.lagFeatures.parse)
    var lagFeatures = DatasetDefinition().lagFeatures

    func apply(to definition: inout DatasetDefinition) {
        definition.labelType = labelType
        definition.horizon = horizon
        definition.lagFeatures = lagFeatures
    }
}
