import ArgumentParser
import Portfolio

extension WeightingScheme: ExpressibleByArgument {}

/// The flags that turn signals into orders: shared by `mntrading aggregate` and `mntrading-infer`.
public struct AggregationOptions: ParsableArguments {
    public init() {}

    @Option(help: ArgumentHelp("Smallest calibrated probability that becomes an order.", valueName: "p"))
    public var minProba: Double = 0.55

    @Option(help: ArgumentHelp("Trade at most this many pairs (highest probability first).", valueName: "k"))
    public var topK: Int = 10

    @Option(help: "Capital per pair: equal_weight, proba_weighted or inverse_vol (1 / spread volatility).")
    public var scheme: WeightingScheme = .equalWeight

    @Option(help: ArgumentHelp("Account equity in quote currency.", valueName: "amount"))
    public var equity: Double = 10_000

    @Option(help: ArgumentHelp("Gross capital = equity × leverage.", valueName: "x"))
    public var leverage: Double = 1.0

    @Option(help: ArgumentHelp("Largest |net exposure| in one symbol, as a fraction of equity × leverage.", valueName: "W"))
    public var maxSymbolWeight: Double = 0.25

    @Option(help: ArgumentHelp("Largest gross exposure after netting, as a fraction of equity × leverage.", valueName: "G"))
    public var maxGross: Double = 1.0

    public var parameters: AggregationParameters {
        var parameters = AggregationParameters()
        parameters.minProba = minProba
        parameters.topK = topK
        parameters.scheme = scheme
        parameters.equity = equity
        parameters.leverage = leverage
        parameters.maxSymbolWeight = maxSymbolWeight
        parameters.maxGross = maxGross
        return parameters
    }

    public func validate() throws {
        do {
            try parameters.validate()
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
