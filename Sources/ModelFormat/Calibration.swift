import Foundation

/// Maps raw classifier probabilities to calibrated ones. Fitted on out-of-fold predictions only.
public enum Calibration: Codable, Sendable, Equatable {
    case none
    /// p' = 1 / (1 + exp(−(a·logit(p) + b))).
    case platt(a: Double, b: Double)
    /// Piecewise-linear through the pool-adjacent-violators fit: ascending `x` (raw) → `y`.
    case isotonic(x: [Double], y: [Double])

    public enum Method: String, Codable, Sendable, CaseIterable { case platt, isotonic, none }

    /// A fitted calibration and what, if anything, went wrong fitting it.
    public struct Fit: Sendable, Equatable {
        public var calibration: Calibration
        /// The fit would have decreased with the raw probability: the model ranks backwards (or not at
        /// all). Such a model is rejected, never inverted.
        public var antiPredictive: Bool
        /// Why the fit fell back to the raw probabilities (divergence), if it did.
        public var warning: String?
    }

    /// Largest Platt slope and |intercept| accepted. A fit that reaches either is a divergence
    /// (nearly separable or nearly constant inputs drive Newton's method toward infinity, which
    /// turns every probability into 0 or 1), and falls back to the raw probabilities with a warning.
    public static let plattBound = 25.0

    /// Fits a monotone non-decreasing map from raw to calibrated probabilities.
    public static func fit(_ method: Method, probabilities: [Double], labels: [Int]) -> Fit {
        let positives = labels.reduce(0, +)
        guard !probabilities.isEmpty, positives > 0, positives < labels.count else {
            return Fit(
                calibration: .none, antiPredictive: false,
                warning: probabilities.isEmpty ? nil : "a single class: no calibration")
        }
        switch method {
        case .none: return Fit(calibration: .none, antiPredictive: false, warning: nil)
        case .platt: return fitPlatt(probabilities, labels)
        case .isotonic:
            let calibration = fitIsotonic(probabilities, labels)
            guard case let .isotonic(_, ys) = calibration, let low = ys.first, let high = ys.last, high > low else {
                return Fit(calibration: calibration, antiPredictive: true, warning: nil)
            }
            return Fit(calibration: calibration, antiPredictive: false, warning: nil)
        }
    }

    /// Whether applying this never reverses the order of two probabilities.
    public var isMonotoneIncreasing: Bool {
        switch self {
        case .none: true
        case let .platt(a, _): a >= 0
        case let .isotonic(_, ys): zip(ys, ys.dropFirst()).allSatisfy { $0 <= $1 }
        }
    }

    public func apply(_ p: Double) -> Double {
        switch self {
        case .none:
            return p
        case let .platt(a, b):
            return 1 / (1 + exp(-(a * logit(p) + b)))
        case let .isotonic(xs, ys):
            guard let first = xs.first, let last = xs.last else { return p }
            if p <= first { return ys[0] }
            if p >= last { return ys[ys.count - 1] }
            var low = 0, high = xs.count - 1
            while high - low > 1 {
                let middle = (low + high) / 2
                if xs[middle] <= p { low = middle } else { high = middle }
            }
            let span = xs[high] - xs[low]
            return span > 0 ? ys[low] + (ys[high] - ys[low]) * (p - xs[low]) / span : ys[high]
        }
    }

    /// Platt scaling by Newton's method on the log-likelihood, with Platt's (1999) smoothed targets,
    /// the slope constrained to a ≥ 0 (monotone) and both parameters bounded by `plattBound`.
    static func fitPlatt(_ probabilities: [Double], _ labels: [Int]) -> Fit {
        let positives = Double(labels.reduce(0, +)), negatives = Double(labels.count) - positives
        let high = (positives + 1) / (positives + 2), low = 1 / (negatives + 2)
        let x = probabilities.map(logit)
        let t = labels.map { $0 == 1 ? high : low }
        let meanTarget = t.reduce(0, +) / Double(t.count)
        // The best constant: what a slope of 0 leaves.
        let flat = Calibration.platt(a: 0, b: logit(meanTarget))
        var a = 1.0, b = 0.0
        var converged = false
        var slopeError = Double.infinity
        for _ in 0..<100 {
            var g0 = 0.0, g1 = 0.0, h00 = 1e-12, h01 = 0.0, h11 = 1e-12
            for i in x.indices {
                let p = 1 / (1 + exp(-(a * x[i] + b)))
                let residual = p - t[i]
                let weight = p * (1 - p)
                g0 += residual * x[i]
                g1 += residual
                h00 += weight * x[i] * x[i]
                h01 += weight * x[i]
                h11 += weight
            }
            let determinant = h00 * h11 - h01 * h01
            guard determinant > 1e-300 else { break }
            slopeError = (h11 / determinant).squareRoot()
            let stepA = (h11 * g0 - h01 * g1) / determinant
            let stepB = (h00 * g1 - h01 * g0) / determinant
            a -= stepA
            b -= stepB
            if !a.isFinite || !b.isFinite || abs(a) >= plattBound || abs(b) >= plattBound { break }
            if abs(stepA) < 1e-10 && abs(stepB) < 1e-10 {
                converged = true
                break
            }
        }
        // A negative slope says the ranking is backwards. Only one clearly below zero (two standard
        // errors) is evidence of that; a slope indistinguishable from zero says the model ranks
        // nothing, and the calibration is the constant base rate.
        if a <= 0 || a.isNaN {
            let significant = a.isNaN || !a.isFinite || a / slopeError < -2
            return Fit(
                calibration: flat, antiPredictive: significant,
                warning: significant
                    ? nil
                    : "no ranking in the out-of-fold predictions (Platt slope ≤ 0, not significantly): the calibrated probability is the base rate"
            )
        }
        guard converged else {
            let shown = String(format: "slope %.3g, intercept %.3g", a, b)
            return Fit(
                calibration: .none, antiPredictive: false,
                warning: "Platt scaling diverged (\(shown), bound \(plattBound)); the raw probabilities are used")
        }
        return Fit(calibration: .platt(a: a, b: b), antiPredictive: false, warning: nil)
    }

    /// Pool adjacent violators over the points sorted by raw probability (ties pooled first).
    static func fitIsotonic(_ probabilities: [Double], _ labels: [Int]) -> Calibration {
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var blocks: [(x: Double, sum: Double, weight: Double)] = []
        var index = 0
        while index < order.count {
            let value = probabilities[order[index]]
            var sum = 0.0, weight = 0.0
            while index < order.count, probabilities[order[index]] == value {
                sum += Double(labels[order[index]])
                weight += 1
                index += 1
            }
            blocks.append((value, sum, weight))
            while blocks.count > 1,
                blocks[blocks.count - 2].sum / blocks[blocks.count - 2].weight >= blocks[blocks.count - 1].sum
                    / blocks[blocks.count - 1].weight
            {
                let last = blocks.removeLast()
                blocks[blocks.count - 1].sum += last.sum
                blocks[blocks.count - 1].weight += last.weight
                blocks[blocks.count - 1].x = last.x
            }
        }
        // Each pooled block becomes one knot at its largest raw value.
        return .isotonic(x: blocks.map(\.x), y: blocks.map { $0.sum / $0.weight })
    }
}

func logit(_ p: Double) -> Double {
    let clipped = min(max(p, 1e-12), 1 - 1e-12)
    return log(clipped / (1 - clipped))
}
