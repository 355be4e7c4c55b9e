import Foundation

/// Engle–Granger two-step cointegration test of y on x with a constant, matching
/// `statsmodels.tsa.stattools.coint(y, x, trend="c", autolag=…)`: OLS of y on [x, 1], then an
/// ADF test without deterministic terms on the residuals, with p-values and critical values for a
/// two-variable system. Like statsmodels, a pair with R² ≥ 1 − 100·√ε is reported as collinear with
/// statistic −∞ and p-value 0 rather than tested.
public func engleGranger(_ y: [Double], _ x: [Double], maxLag: Int? = nil, lagSelection: LagSelection = .aic) throws
    -> CointegrationResult
{
    guard y.count == x.count else {
        throw StatisticsError.tooFewObservations(min(x.count, y.count), needed: max(x.count, y.count))
    }
    guard y.allSatisfy(\.isFinite), x.allSatisfy(\.isFinite) else { throw StatisticsError.nonFinite }
    let regression = try SimpleRegression(y: y, x: x)
    // statsmodels: nobs − 1, "to match egranger in Stata".
    let critical = mackinnonCriticalValues(regression: .c, n: 2, nobs: Double(y.count - 1))
    let collinearLimit = 1 - 100 * Double.ulpOfOne.squareRoot()
    guard regression.rSquared < collinearLimit else {
        return CointegrationResult(
            statistic: -.infinity, pValue: 0, criticalValues: critical, usedLag: 0,
            beta: regression.beta, alpha: regression.alpha, observations: y.count, collinear: true)
    }
    let adf = try augmentedDickeyFuller(
        regression.residuals(y: y, x: x), maxLag: maxLag, trend: .none, lagSelection: lagSelection)
    return CointegrationResult(
        statistic: adf.statistic, pValue: mackinnonPValue(adf.statistic, regression: .c, n: 2),
        criticalValues: critical, usedLag: adf.usedLag, beta: regression.beta, alpha: regression.alpha,
        observations: y.count, collinear: false)
}

/// Half-life in bars of a mean-reverting series, from the AR(1) fit Δs_t = a + b·s_{t−1}:
/// φ = 1 + b and half-life = −ln 2 / ln φ. Infinite when the series does not revert (φ ≥ 1 or φ ≤ 0).
public func halfLife(_ series: [Double]) throws -> Double {
    guard series.count >= 3 else { throw StatisticsError.tooFewObservations(series.count, needed: 3) }
    let lagged = Array(series.dropLast())
    let changes = (1..<series.count).map { series[$0] - series[$0 - 1] }
    let fit = try SimpleRegression(y: changes, x: lagged)
    return halfLife(phi: 1 + fit.beta)
}

func halfLife(phi: Double) -> Double {
    guard phi > 0, phi < 1 else { return .infinity }
    return -log(2) / log(phi)
}

/// Pearson correlation of two equally long series; nil when either is constant.
public func pearsonCorrelation(_ a: [Double], _ b: [Double]) -> Double? {
    guard min(a.count, b.count) >= 2 else { return nil }
    let sums = CentredSums(a, b)
    guard sums.xx > 0, sums.yy > 0 else { return nil }
    return sums.xy / (sums.xx * sums.yy).squareRoot()
}

/// Means and centred sums of squares and products of two series (over the shorter length):
/// two passes, so no cancellation between large raw sums.
struct CentredSums {
    var meanX = 0.0, meanY = 0.0
    var xx = 0.0, xy = 0.0, yy = 0.0

    init(_ x: [Double], _ y: [Double]) {
        let n = min(x.count, y.count)
        for i in 0..<n {
            meanX += x[i]
            meanY += y[i]
        }
        meanX /= Double(n)
        meanY /= Double(n)
        for i in 0..<n {
            let dx = x[i] - meanX, dy = y[i] - meanY
            xx += dx * dx
            xy += dx * dy
            yy += dy * dy
        }
    }
}

/// Log returns ln(p_t / p_{t−1}).
public func logReturns(_ prices: [Double]) -> [Double] {
    guard prices.count > 1 else { return [] }
    return (1..<prices.count).map { log(prices[$0] / prices[$0 - 1]) }
}
