import Foundation
import Backtest

/// The Deflated Sharpe Ratio (Bailey & López de Prado, 2014, "The Deflated Sharpe Ratio: Correcting
/// for Selection Bias, Backtest Overfitting and Non-Normality").
///
/// The probability that a strategy's true Sharpe ratio exceeds the best Sharpe ratio that the
/// run's trials would be expected to show if none had any skill, given the sample length and the
/// returns' skewness and kurtosis. All Sharpe ratios here are per bar (not annualised).
///
/// Two choices, both from the paper's own footing: the variance of the skill-less trials' Sharpe
/// ratios is the estimator's variance under that null, 1/(T−1) (the variance across our trials
/// would also count the real differences between pairs and so deflate real edges for each other's
/// sake); and the number of trials is the number of independent ones: trials whose returns
/// correlate (the four candidates on one pair trade the same stretches) count once
/// (`TrialClusters`). The raw count is reported beside it.
public enum DeflatedSharpe {
    static let eulerMascheroni = 0.5772156649015329

    /// E[max SR] over `trials` independent skill-less trials whose Sharpe ratios have variance
    /// `trialVariance` (the paper's SR₀). 0 for a single trial.
    public static func expectedMaximum(trials: Int, trialVariance: Double) -> Double {
        guard trials > 1, trialVariance > 0 else { return 0 }
        let n = Double(trials)
        let gamma = eulerMascheroni
        return trialVariance.squareRoot()
            * ((1 - gamma) * Normal.quantile(1 - 1 / n) + gamma * Normal.quantile(1 - 1 / (n * M_E)))
    }

    /// The Probabilistic Sharpe Ratio: P(true SR > `benchmark`) for the observed series.
    public static func probabilistic(_ statistics: ReturnStatistics, benchmark: Double) -> Double? {
        guard statistics.count > 2, statistics.standardDeviation > 0 else { return nil }
        let sr = statistics.sharpe
        let denominator = 1 - statistics.skewness * sr + (statistics.kurtosis - 1) / 4 * sr * sr
        guard denominator > 0 else { return nil }
        return Normal.cdf((sr - benchmark) * Double(statistics.count - 1).squareRoot() / denominator.squareRoot())
    }

    /// DSR of `returns`, the best of `independentTrials` trials. nil when the series is too short
    /// or flat (no trade): no evidence either way, which a guardrail treats as failing.
    public static func ratio(returns: [Double], independentTrials: Int) -> Double? {
        let statistics = ReturnStatistics(returns)
        guard statistics.count > 2 else { return nil }
        let benchmark = expectedMaximum(trials: independentTrials, trialVariance: 1 / Double(statistics.count - 1))
        return probabilistic(statistics, benchmark: benchmark)
    }
}

/// The standard normal distribution.
enum Normal {
    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Φ⁻¹(p): Acklam's rational approximation refined by one Halley step (|error| < 1e-13).
    static func quantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x =
                -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
