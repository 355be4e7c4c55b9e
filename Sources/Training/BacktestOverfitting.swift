import Foundation

/// The Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey,
/// Borwein, López de Prado & Zhu, 2015, "The Probability of Backtest Overfitting").
///
/// The trials' per-bar returns (columns, on one time axis) are cut into `blocks` equal blocks of
/// bars. For every way of choosing half the blocks as "in sample", the trial with the best
/// in-sample Sharpe is found and its Sharpe rank among all trials on the other half is taken; PBO
/// is the share of splits in which that trial ranks at or below the median out of sample. Near 0:
/// the best in sample stays good; near or above 0.5: choosing the best is no better than chance.
public enum BacktestOverfitting {
    public struct Outcome: Codable, Sendable, Equatable {
        public var pbo: Double
        public var trials: Int
        public var blocks: Int
        public var splits: Int
    }

    /// nil with fewer than two trials, too few bars for the blocks, or no trial that ever earned or
    /// lost anything (with nothing to tell the trials apart, there is no choice to judge).
    public static func estimate(_ trials: [[Double]], blocks requested: Int = 16) -> Outcome? {
        guard trials.count >= 2, let length = trials.first?.count, trials.allSatisfy({ $0.count == length }),
            trials.contains(where: { $0.contains { $0 != 0 } })
        else { return nil }
        let blocks = min(requested - requested % 2, (length / 4) - (length / 4) % 2)
        guard blocks >= 2 else { return nil }
        // Per block and trial: sum, sum of squares and bar count, so that any union of blocks is cheap.
        let blockLength = length / blocks
        var sums = [[Double]](repeating: [Double](repeating: 0, count: trials.count), count: blocks)
        var squares = sums
        var counts = [Double](repeating: 0, count: blocks)
        for block in 0..<blocks {
            let start = block * blockLength, end = block == blocks - 1 ? length : start + blockLength
            counts[block] = Double(end - start)
            for (trial, returns) in trials.enumerated() {
                for t in start..<end {
                    sums[block][trial] += returns[t]
                    squares[block][trial] += returns[t] * returns[t]
                }
            }
        }
        func sharpe(_ chosen: [Int], _ trial: Int) -> Double {
            var sum = 0.0, square = 0.0, n = 0.0
            for block in chosen {
                sum += sums[block][trial]
                square += squares[block][trial]
                n += counts[block]
            }
            let mean = sum / n
            let variance = (square - n * mean * mean) / max(n - 1, 1)
            return variance > 1e-300 ? mean / variance.squareRoot() : 0
        }
        var overfit = 0, splits = 0
        for inSample in combinations(of: blocks, choose: blocks / 2) {
            let chosen = Set(inSample)
            let outOfSample = (0..<blocks).filter { !chosen.contains($0) }
            let isSharpe = (0..<trials.count).map { sharpe(inSample, $0) }
            let best = isSharpe.indices.max { (isSharpe[$0], -$0) < (isSharpe[$1], -$1) }!
            let oosSharpe = (0..<trials.count).map { sharpe(outOfSample, $0) }
            // Relative rank of the chosen trial out of sample, ties at their mid rank.
            let below = oosSharpe.filter { $0 < oosSharpe[best] }.count
            let equal = oosSharpe.filter { $0 == oosSharpe[best] }.count
            let rank = Double(below) + Double(equal + 1) / 2
            let omega = rank / Double(trials.count + 1)
            if log(omega / (1 - omega)) <= 0 { overfit += 1 }
            splits += 1
        }
        return Outcome(pbo: Double(overfit) / Double(splits), trials: trials.count, blocks: blocks, splits: splits)
    }

    static func combinations(of n: Int, choose k: Int) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        func extend(from start: Int) {
            if current.count == k {
                result.append(current)
                return
            }
            guard start < n, n - start >= k - current.count else { return }
            for value in start..<n {
                current.append(value)
                extend(from: value + 1)
                current.removeLast()
            }
        }
        extend(from: 0)
        return result
    }
}
