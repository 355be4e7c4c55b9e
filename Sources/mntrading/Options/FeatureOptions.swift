import ArgumentParser
import Basics
import CLISupport
import PairResearch

/// The feature windows `features` and `pipeline` take.
struct FeatureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Bars in the rolling β window.", valueName: "bars"), transform: NumberRule.window.parse)
    var betaWindow = FeatureParameters().betaWindow
    @Option(help: ArgumentHelp("Bars in the z-score window.", valueName: "bars"), transform: NumberRule.window.parse)
    var zWindow = FeatureParameters().zWindow

    var parameters: FeatureParameters { FeatureParameters(betaWindow: betaWindow, zWindow: zWindow) }

    func validate() throws { try asUsageError { try parameters.validate() } }
}
