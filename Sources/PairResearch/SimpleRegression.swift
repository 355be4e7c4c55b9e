import Foundation

/// Ordinary least squares of y on x with an intercept, from centred sums (stable for log prices).
public struct SimpleRegression: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double
    public var rSquared: Double
    public var observations: Int

    public init(y: [Double], x: [Double]) throws {
        let n = min(x.count, y.count)
        guard n >= 3 else { throw StatisticsError.tooFewObservations(n, needed: 3) }
        let sums = CentredSums(x, y)
        let (sxx, sxy, syy) = (sums.xx, sums.xy, sums.yy)
        guard sxx > 0, syy > 0 else { throw StatisticsError.constantSeries }
        beta = sxy / sxx
        alpha = sums.meanY - beta * sums.meanX
        // RSS = Syy − Sxy²/Sxx; clamp the rounding of an exact fit.
        let residual = max(syy - sxy * sxy / sxx, 0)
        rSquared = 1 - residual / syy
        observations = n
    }

    public func residuals(y: [Double], x: [Double]) -> [Double] {
        zip(y, x).map { $0 - alpha - beta * $1 }
    }
}
