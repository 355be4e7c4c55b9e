import Foundation

/// Least squares for a family of nested regressions through one Cholesky factorisation of the
/// augmented Gram matrix [X y]ᵀ[X y].
///
/// With G = LLᵀ, the last row of L holds w = L_X⁻¹Xᵀy and the full model's residual sum of squares
/// L_yy². The model on the first m columns of X has RSS = L_yy² + Σ_{i≥m} w_i² (a sum of positive
/// terms, free of cancellation), and the t-statistic of its last coefficient is w_{m−1}/s_m. So every
/// nested lag length of an ADF search costs O(1) once G is factorised.
struct NestedLeastSquares {
    let observations: Int
    let columns: Int
    /// w_i for i < columns.
    private(set) var projections: [Double]
    /// RSS of the full model.
    let fullResidual: Double

    enum Failure: Error, Equatable { case singular(column: Int), tooFewObservations }

    /// `gram` is the (columns+1)² augmented matrix, row-major, y last; only the lower triangle is read.
    init(gram: [Double], columns: Int, observations: Int) throws {
        guard observations > columns else { throw Failure.tooFewObservations }
        let size = columns + 1
        var lower = gram
        for j in 0..<size {
            var diagonal = lower[j * size + j]
            for k in 0..<j { diagonal -= lower[j * size + k] * lower[j * size + k] }
            if j < columns {
                // Collinearity guard: a pivot that lost almost all of its column's energy means the
                // column is (numerically) a combination of the earlier ones.
                guard diagonal > 1e-12 * max(gram[j * size + j], .leastNormalMagnitude) else {
                    throw Failure.singular(column: j)
                }
            }
            // y's own pivot is the full model's residual norm; rounding can push an exact fit below 0.
            let pivot = max(diagonal, 0).squareRoot()
            lower[j * size + j] = pivot
            guard j < columns else { break }
            for i in (j + 1)..<size {
                var value = lower[i * size + j]
                for k in 0..<j { value -= lower[i * size + k] * lower[j * size + k] }
                lower[i * size + j] = value / pivot
            }
        }
        self.observations = observations
        self.columns = columns
        projections = (0..<columns).map { lower[columns * size + $0] }
        let last = lower[columns * size + columns]
        fullResidual = last * last
    }

    /// RSS of the model on the first `m` columns.
    func residualSumOfSquares(columns m: Int) -> Double {
        var total = fullResidual
        for index in stride(from: columns - 1, through: m, by: -1) { total += projections[index] * projections[index] }
        return total
    }

    /// t-statistic of the last coefficient of the model on the first `m` columns.
    func lastCoefficientT(columns m: Int) -> Double {
        let variance = residualSumOfSquares(columns: m) / Double(observations - m)
        return projections[m - 1] / variance.squareRoot()
    }

    /// Gaussian log-likelihood of the model on the first `m` columns, as statsmodels' OLS `llf`.
    func logLikelihood(columns m: Int) -> Double {
        let n = Double(observations)
        return -n / 2 * (log(2 * Double.pi) + log(residualSumOfSquares(columns: m) / n) + 1)
    }
}
