import Foundation

/// Classification quality of probabilities against 0/1 labels.
public struct ClassificationMetrics: Codable, Sendable, Equatable {
    public var rocAUC: Double?
    public var prAUC: Double?
    public var brier: Double
    public var logLoss: Double
    public var positiveRate: Double
    public var count: Int

    // Explicit: the snake_case strategies cannot round-trip the "AUC" acronym.
    enum CodingKeys: String, CodingKey {
        case rocAUC = "rocAuc", prAUC = "prAuc", brier, logLoss, positiveRate, count
    }

    public init(probabilities: [Double], labels: [Int]) {
        precondition(probabilities.count == labels.count, "metrics need one probability per label")
        count = labels.count
        let n = Double(max(labels.count, 1))
        positiveRate = Double(labels.reduce(0, +)) / n
        var brierSum = 0.0, logSum = 0.0
        for (p, y) in zip(probabilities, labels) {
            brierSum += (p - Double(y)) * (p - Double(y))
            // Clipped as scikit-learn does, so a confident miss costs a lot but not infinity.
            let clipped = min(max(p, 1e-15), 1 - 1e-15)
            logSum -= y == 1 ? log(clipped) : log(1 - clipped)
        }
        brier = brierSum / n
        logLoss = logSum / n
        rocAUC = Self.rocAUC(probabilities, labels)
        prAUC = Self.averagePrecision(probabilities, labels)
    }

    /// Mann–Whitney form with average ranks for ties; nil with a single class.
    public static func rocAUC(_ scores: [Double], _ labels: [Int]) -> Double? {
        let positives = labels.reduce(0, +), negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for index in start...end where labels[order[index]] == 1 { rankSum += averageRank }
            start = end + 1
        }
        return (rankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))
    }

    /// Whether the scores rank the labels backwards beyond chance: ROC-AUC more than two standard
    /// errors below 0.5. The error is Hanley & McNeil's (1982), inflated for overlapping labels:
    /// neighbouring bars share most of their label's future, so a run of equal labels in time
    /// order is closer to one observation than to many (design effect = rows / runs).
    public static func rankedBackwards(_ scores: [Double], _ labels: [Int]) -> Bool {
        guard let auc = rocAUC(scores, labels) else { return false }
        let n1 = Double(labels.reduce(0, +)), n0 = Double(labels.count) - n1
        let q1 = auc / (2 - auc), q2 = 2 * auc * auc / (1 + auc)
        let variance = (auc * (1 - auc) + (n1 - 1) * (q1 - auc * auc) + (n0 - 1) * (q2 - auc * auc)) / (n1 * n0)
        let runs = 1 + zip(labels, labels.dropFirst()).filter { $0 != $1 }.count
        let designEffect = Double(labels.count) / Double(runs)
        return auc < 0.5 - 2 * (variance * designEffect).squareRoot()
    }

    /// Average precision (scikit-learn's `average_precision_score`): Σ (R_k − R_{k−1})·P_k over
    /// distinct score thresholds, highest first.
    public static func averagePrecision(_ scores: [Double], _ labels: [Int]) -> Double? {
        let positives = labels.reduce(0, +)
        guard positives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0, seen = 0
        var previousRecall = 0.0, precisionSum = 0.0
        var index = 0
        while index < order.count {
            let threshold = scores[order[index]]
            while index < order.count, scores[order[index]] == threshold {
                truePositives += labels[order[index]]
                seen += 1
                index += 1
            }
            let recall = Double(truePositives) / Double(positives)
            precisionSum += (recall - previousRecall) * Double(truePositives) / Double(seen)
            previousRecall = recall
        }
        return precisionSum
    }
}
