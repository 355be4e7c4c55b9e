import Foundation
import MarketData

/// Walk-forward screening: before each scored period (every fold's test block and the holdout) the
/// pair is screened again, with the screen's own rules, on the bars of the screen's length that
/// end where that period begins. A pair the screen would no longer keep takes no position there.
/// Every such choice is made on bars strictly before the ones it is scored on.
public struct WalkForwardScreen: Sendable {
    public let parameters: ScreeningParameters
    /// The screen window's length in ms.
    public let length: Int64
    let barsA: [Bar]
    let barsB: [Bar]
    let legs: (a: String, b: String)

    public init(parameters: ScreeningParameters, length: Int64, a: String, barsA: [Bar], b: String, barsB: [Bar]) {
        self.parameters = parameters
        self.length = length
        self.barsA = barsA
        self.barsB = barsB
        legs = (a, b)
    }

    public func check(at time: Int64) -> Rescreen {
        let step = parameters.timeframe.milliseconds
        func window(_ bars: [Bar]) -> [Bar] {
            bars.filter { $0.openTime >= time - length && $0.openTime + step <= time }
        }
        let (a, b) = (window(barsA), window(barsB))
        let joined = min(a.count, b.count)
        guard joined >= parameters.minSamples else {
            return Rescreen(
                time: time, pvalue: nil, passed: nil,
                reason:
                    "not re-screened: \(joined) \(parameters.timeframe) bars before \(UTCTime.format(time)) in the store"
            )
        }
        let result = Screener(parameters: parameters).test(
            .init(symbol: legs.a, bars: a), .init(symbol: legs.b, bars: b))
        return Rescreen(time: time, pvalue: result.worstPValue, passed: result.reason == nil, reason: result.reason)
    }
}
