import Basics
import Foundation
import ArgumentParser
import Portfolio
import MarketData

extension WeightingScheme: ExpressibleByArgument {}

/// The flags that turn signals into orders: shared by `mntrading aggregate` and `mntrading-infer`.
/// Defaults come from `AggregationParameters`, so the flags and the library cannot disagree.
public struct AggregationOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp("Smallest calibrated probability that becomes an order.", valueName: "p"),
        transform: NumberRule.fraction.parse)
    public var minProba: Double = AggregationParameters().minProba

    @Option(
        help: ArgumentHelp("Trade at most this many pairs (highest probability first).", valueName: "k"),
        transform: NumberRule.topK.parse)
    public var topK: Int = AggregationParameters().topK

    @Option(help: "Capital per pair: equal_weight, proba_weighted or inverse_vol (1 / spread volatility).")
    public var scheme: WeightingScheme = AggregationParameters().scheme

    @Option(
        help: ArgumentHelp("Account equity in quote currency.", valueName: "amount"),
        transform: NumberRule.number(above: 0, atMost: 1e15).parse)
    public var equity: Double = AggregationParameters().equity

    @Option(
        help: ArgumentHelp("Gross capital = equity × leverage.", valueName: "x"),
        transform: NumberRule.number(above: 0, atMost: 100).parse)
    public var leverage: Double = AggregationParameters().leverage

    @Option(
        help: ArgumentHelp("Largest |net exposure| in one symbol, as a fraction of equity × leverage.", valueName: "W"),
        transform: NumberRule.number(above: 0, atMost: 10).parse)
    public var maxSymbolWeight: Double = AggregationParameters().maxSymbolWeight

    @Option(
        help: ArgumentHelp("Largest gross exposure after netting, as a fraction of equity × leverage.", valueName: "G"),
        transform: NumberRule.number(above: 0, atMost: 10).parse)
    public var maxGross: Double = AggregationParameters().maxGross

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
