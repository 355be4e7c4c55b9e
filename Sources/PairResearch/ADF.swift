import Foundation

/// How the number of lagged differences is chosen, as statsmodels' `autolag`.
public enum LagSelection: String, Sendable, Codable, CaseIterable {
    /// Smallest Akaike criterion over 0…maxlag (all fitted on the same observations).
    case aic
    /// Smallest Schwarz criterion.
    case bic
    /// From maxlag down, the first lag whose last coefficient has |t| ≥ 1.645.
    case tStat = "t-stat"
    /// Exactly maxlag.
    case fixed
}

public struct CriticalValues: Sendable, Codable, Equatable {
    public var onePercent: Double
    public var fivePercent: Double
    public var tenPercent: Double
}

public struct ADFResult: Sendable, Codable, Equatable {
    public var statistic: Double
    public var pValue: Double
    public var usedLag: Int
    public var observations: Int
    public var criticalValues: CriticalValues
    /// Best information criterion (or |t| for t-stat selection); nil for a fixed lag.
    public var icBest: Double?
}

/// statsmodels' default maximum lag: ⌈12·(n/100)^¼⌉ (Schwert 1989), capped at n/2 − trend − 1.
public func defaultMaxLag(observations n: Int, trend: TrendTerm) -> Int {
    let schwert = Int((12 * pow(Double(n) / 100, 0.25)).rounded(.up))
    return min(n / 2 - trend.count - 1, schwert)
}

/// Augmented Dickey–Fuller test, matching `statsmodels.tsa.stattools.adfuller` (statistic, p-value,
/// lag choice, critical values).
///
/// The lag search fits every candidate on the same observations, as statsmodels does, from one
/// Cholesky factorisation of the Gram matrix (`NestedLeastSquares`); the chosen lag is refitted on
/// all observations it allows. The Gram matrix of the lagged differences is Toeplitz-like, so it is
/// built by sliding sums in O(n·maxlag) rather than O(n·maxlag²).
public func augmentedDickeyFuller(
    _ x: [Double], maxLag: Int? = nil, trend: TrendTerm = .constant,
    lagSelection: LagSelection = .aic
) throws -> ADFResult {
    let n = x.count
    guard x.allSatisfy(\.isFinite) else { throw StatisticsError.nonFinite }
    let allowed = n / 2 - trend.count - 1
    let maxLag =
        try maxLag.map { lag -> Int in
            guard lag >= 0, lag <= allowed else { throw StatisticsError.maxLagTooLarge(lag, allowed: max(allowed, 0)) }
            return lag
        } ?? defaultMaxLag(observations: n, trend: trend)
    guard maxLag >= 0, n - 1 - maxLag > trend.count + maxLag + 1 else {
        throw StatisticsError.tooFewObservations(n, needed: 2 * (trend.count + 2) + 2)
    }
    let differences = (1..<n).map { x[$0] - x[$0 - 1] }

    var usedLag = maxLag
    var icBest: Double?
    if lagSelection != .fixed {
        let design = LagDesign(levels: x, differences: differences, lags: maxLag, trend: trend, levelLast: false)
        let fit = try design.fit()
        let startLag = trend.count + 1
        switch lagSelection {
        case .aic, .bic:
            var best = (ic: Double.infinity, columns: startLag)
            let penalty = lagSelection == .aic ? 2.0 : log(Double(fit.observations))
            for columns in startLag...(startLag + maxLag) {
                let ic = -2 * fit.logLikelihood(columns: columns) + penalty * Double(columns)
                if ic < best.ic { best = (ic, columns) }
            }
            icBest = best.ic
            usedLag = best.columns - startLag
        case .tStat:
            // statsmodels: stats.norm.ppf(0.95).
            let stop = 1.6448536269514722
            var chosen = (t: 0.0, columns: startLag + maxLag)
            for columns in stride(from: startLag + maxLag, through: startLag, by: -1) {
                chosen = (abs(fit.lastCoefficientT(columns: columns)), columns)
                if chosen.t >= stop { break }
            }
            icBest = chosen.t
            usedLag = chosen.columns - startLag
        case .fixed:
            break
        }
    }
    let final = LagDesign(levels: x, differences: differences, lags: usedLag, trend: trend, levelLast: true)
    let fit = try final.fit()
    // An exact fit (e.g. a straight line) leaves no residual variance: the t-statistic is undefined.
    guard fit.residualSumOfSquares(columns: fit.columns) > 0 else { throw StatisticsError.singular }
    let statistic = fit.lastCoefficientT(columns: fit.columns)
    let regression = trend.tableRegression
    return ADFResult(
        statistic: statistic, pValue: mackinnonPValue(statistic, regression: regression, n: 1),
        usedLag: usedLag, observations: fit.observations,
        criticalValues: mackinnonCriticalValues(regression: regression, n: 1, nobs: Double(fit.observations)),
        icBest: icBest)
}

/// The ADF regression Δx_t on [trend terms], x_{t−1} and Δx_{t−1…t−lags}, for t = lags+1 … n−1.
/// With `levelLast` the level is the last column (its t-statistic is then w_last/s); otherwise it
/// comes right after the trend terms, as in statsmodels' lag search.
struct LagDesign {
    let levels: [Double]
    let differences: [Double]
    let lags: Int
    let trend: TrendTerm
    let levelLast: Bool

    var observations: Int { differences.count - lags }

    func fit() throws -> NestedLeastSquares {
        let nobs = observations
        let trendCount = trend.count
        let columns = trendCount + 1 + lags
        let size = columns + 1
        var gram = [Double](repeating: 0, count: size * size)
        // Slot of each regressor in the augmented matrix; y (Δx_t) is the last slot.
        let levelSlot = levelLast ? columns - 1 : trendCount
        func lagSlot(_ lag: Int) -> Int { lag == 0 ? columns : (levelLast ? trendCount + lag - 1 : trendCount + lag) }
        func set(_ a: Int, _ b: Int, _ value: Double) {
            gram[max(a, b) * size + min(a, b)] = value
        }

        differences.withUnsafeBufferPointer { d in
            levels.withUnsafeBufferPointer { level in
                let top = lags
                // D_i(r) = d[top + r − i], r ∈ [0, nobs): lagged differences (i = 0 is y).
                // Products D_i·D_{i+δ} for fixed δ slide as i grows: one term enters, one leaves.
                for delta in 0...lags {
                    var sum = 0.0
                    for r in 0..<nobs { sum += d[top + r] * d[top + r - delta] }
                    set(lagSlot(0), lagSlot(delta), sum)
                    var i = 0
                    while i + 1 + delta <= lags {
                        sum +=
                            d[top - i - 1] * d[top - i - 1 - delta] - d[top + nobs - 1 - i]
                            * d[top + nobs - 1 - i - delta]
                        i += 1
                        set(lagSlot(i), lagSlot(i + delta), sum)
                    }
                }
                // Level x_{t−1} = x[top + r] against itself and every D_i.
                var levelSquare = 0.0
                for r in 0..<nobs { levelSquare += level[top + r] * level[top + r] }
                set(levelSlot, levelSlot, levelSquare)
                for i in 0...lags {
                    var sum = 0.0
                    for r in 0..<nobs { sum += level[top + r] * d[top + r - i] }
                    set(levelSlot, lagSlot(i), sum)
                }
                guard trendCount > 0 else { return }
                // Constant (slot 0) and linear trend 1…nobs (slot 1), as statsmodels' add_trend.
                set(0, 0, Double(nobs))
                var levelSum = 0.0
                for r in 0..<nobs { levelSum += level[top + r] }
                set(0, levelSlot, levelSum)
                for i in 0...lags {
                    var sum = 0.0
                    for r in 0..<nobs { sum += d[top + r - i] }
                    set(0, lagSlot(i), sum)
                }
                guard trendCount > 1 else { return }
                let count = Double(nobs)
                set(1, 0, count * (count + 1) / 2)
                set(1, 1, count * (count + 1) * (2 * count + 1) / 6)
                var levelTrend = 0.0
                for r in 0..<nobs { levelTrend += Double(r + 1) * level[top + r] }
                set(1, levelSlot, levelTrend)
                for i in 0...lags {
                    var sum = 0.0
                    for r in 0..<nobs { sum += Double(r + 1) * d[top + r - i] }
                    set(1, lagSlot(i), sum)
                }
            }
        }
        do {
            return try NestedLeastSquares(gram: gram, columns: columns, observations: nobs)
        } catch NestedLeastSquares.Failure.tooFewObservations {
            throw StatisticsError.tooFewObservations(levels.count, needed: 2 * columns + 2)
        } catch {
            throw StatisticsError.singular
        }
    }
}
