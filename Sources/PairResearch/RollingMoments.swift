import Foundation

/// First and second moments of (x, y) over a window, kept as sums of values shifted by (cx, cy) so
/// that variances of log prices do not cancel catastrophically.
struct WindowMoments {
    var count = 0.0
    var shiftX = 0.0, shiftY = 0.0
    var sumX = 0.0, sumY = 0.0, sumXX = 0.0, sumYY = 0.0, sumXY = 0.0

    mutating func add(_ x: Double, _ y: Double) {
        let dx = x - shiftX, dy = y - shiftY
        count += 1
        sumX += dx
        sumY += dy
        sumXX += dx * dx
        sumYY += dy * dy
        sumXY += dx * dy
    }

    mutating func remove(_ x: Double, _ y: Double) {
        let dx = x - shiftX, dy = y - shiftY
        count -= 1
        sumX -= dx
        sumY -= dy
        sumXX -= dx * dx
        sumYY -= dy * dy
        sumXY -= dx * dy
    }

    var meanX: Double { shiftX + sumX / count }
    var meanY: Double { shiftY + sumY / count }
    /// Population (co)variances; clamped at 0 against rounding.
    var varianceX: Double { max(sumXX / count - (sumX / count) * (sumX / count), 0) }
    var varianceY: Double { max(sumYY / count - (sumY / count) * (sumY / count), 0) }
    var covariance: Double { sumXY / count - (sumX / count) * (sumY / count) }
    /// Sample standard deviation of y (ddof = 1, as pandas' rolling std).
    var sampleStandardDeviationY: Double { (varianceY * count / (count - 1)).squareRoot() }
    var sampleStandardDeviationX: Double { (varianceX * count / (count - 1)).squareRoot() }
}

/// Rolling-window moments whose value at index t depends only on the inputs and t itself — never on
/// where a computation started. Sums restart from scratch at fixed anchors (every `block` indices,
/// and at the first full window) and are updated by one add and one remove in between. So an
/// incremental update that resumes at any index reproduces a full rebuild bit for bit, and rounding
/// never accumulates over more than one block.
struct AnchoredRollingMoments {
    let window: Int
    let block: Int
    /// First index at which x and y are defined.
    let firstValid: Int

    /// First index with a full window.
    var firstFull: Int { firstValid + window - 1 }

    func anchor(of t: Int) -> Int { max(firstFull, (t / block) * block) }

    /// Calls `body(t, moments)` for every t in `range` with a full window, in order.
    func forEach(in range: Range<Int>, x: (Int) -> Double, y: (Int) -> Double, _ body: (Int, WindowMoments) -> Void) {
        let start = max(range.lowerBound, firstFull)
        guard start < range.upperBound else { return }
        var t = anchor(of: start)
        var moments = WindowMoments()
        while t < range.upperBound {
            if t == anchor(of: t) {
                moments = WindowMoments()
                moments.shiftX = x(t)
                moments.shiftY = y(t)
                for u in (t - window + 1)...t { moments.add(x(u), y(u)) }
            } else {
                moments.add(x(t), y(t))
                moments.remove(x(t - window), y(t - window))
            }
            if t >= start { body(t, moments) }
            t += 1
        }
    }
}
