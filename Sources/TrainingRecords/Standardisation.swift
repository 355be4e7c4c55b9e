import Foundation

/// Standardisation of inputs (for the linear model): x' = (x − mean) / sd, from training rows only.
public struct Standardisation: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var scale: [Double]

    /// Statistics over the present (non-NaN) values of each column.
    public init(rows: Range<Int>, values: [Double], columns: Int) {
        var sum = [Double](repeating: 0, count: columns), square = [Double](repeating: 0, count: columns)
        var count = [Double](repeating: 0, count: columns)
        for row in rows {
            for column in 0..<columns {
                let value = values[row * columns + column]
                guard !value.isNaN else { continue }
                sum[column] += value
                square[column] += value * value
                count[column] += 1
            }
        }
        let means = zip(sum, count).map { $1 > 0 ? $0 / $1 : 0 }
        mean = means
        scale = (0..<columns).map { column in
            let variance = square[column] / max(count[column], 1) - means[column] * means[column]
            return variance > 1e-24 ? variance.squareRoot() : 1
        }
    }

    public func apply(_ value: Double, column: Int) -> Double { (value - mean[column]) / scale[column] }
}
