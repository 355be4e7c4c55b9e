import Foundation
import Backtest

/// Trials grouped by the correlation of their returns: each cluster is one independent trial.
public enum TrialClusters {
    /// Greedy: trials in order of their Sharpe ratio, each joining the first cluster whose
    /// representative's returns it correlates with at `threshold` or more, else starting one.
    public static func count(_ trials: [[Double]], threshold: Double = 0.5) -> Int {
        let sharpes = trials.map { ReturnStatistics($0).sharpe }
        let order = trials.indices.sorted { sharpes[$0] > sharpes[$1] }
        var representatives: [Int] = []
        for trial in order
        where !representatives.contains(where: { correlation(trials[$0], trials[trial]) >= threshold }) {
            representatives.append(trial)
        }
        return max(representatives.count, trials.isEmpty ? 0 : 1)
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(min(x.count, y.count))
        guard n > 1 else { return 0 }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }
}
