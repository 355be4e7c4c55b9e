import Basics
import Foundation

public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Gradient-boosted trees (gbtree, hist), early-stopped.
    case gbdt
    /// Random forest: one round of many parallel trees with row and column subsampling.
    case rf
    /// Logistic regression (gblinear) on standardised inputs, early-stopped.
    case logistic
}

/// One model configuration the trainer tries per pair.
public struct Candidate: Codable, Sendable, Equatable {
    public var kind: ModelKind
    public var maxDepth = 4
    public var learningRate = 0.1
    public var trees = 100
    public var subsample = 0.8
    public var columnSample = 0.8
    public var lambda = 1.0

    public init(
        kind: ModelKind, maxDepth: Int = 4, learningRate: Double = 0.1, trees: Int = 100,
        subsample: Double = 0.8, columnSample: Double = 0.8, lambda: Double = 1
    ) {
        self.kind = kind
        self.maxDepth = maxDepth
        self.learningRate = learningRate
        self.trees = trees
        self.subsample = subsample
        self.columnSample = columnSample
        self.lambda = lambda
    }

    public var name: String {
        switch kind {
        case .gbdt: "gbdt(depth=\(maxDepth),eta=\(learningRate))"
        case .rf: "rf(trees=\(trees),depth=\(maxDepth))"
        case .logistic: "logistic(lambda=\(lambda))"
        }
    }

    /// The default grid: two boosted-tree shapes, a forest and a linear model.
    public static let defaultGrid: [Candidate] = [
        Candidate(kind: .gbdt, maxDepth: 3, learningRate: 0.1),
        Candidate(kind: .gbdt, maxDepth: 5, learningRate: 0.05),
        Candidate(kind: .rf, maxDepth: 6, trees: 100, subsample: 0.63, columnSample: 0.6),
        Candidate(kind: .logistic, learningRate: 0.5, lambda: 1)
    ]

    /// The default grid's candidates of the named kinds (`--kinds gbdt,logistic`).
    public static func grid(kinds text: String) throws -> [Candidate] {
        let wanted = try text.split(separator: ",").map { name -> ModelKind in
            guard let kind = ModelKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw SettingError("kinds", "names an unknown model kind '\(name)'; use gbdt, rf or logistic")
            }
            return kind
        }
        guard !wanted.isEmpty else {
            throw SettingError("kinds", "'\(text)' names no model kind; use gbdt, rf or logistic")
        }
        return defaultGrid.filter { wanted.contains($0.kind) }
    }

    public func parameters(seed: UInt64, threads: Int) -> [(String, String)] {
        var parameters: [(String, String)] = [
            ("objective", "binary:logistic"), ("eval_metric", "logloss"),
            ("seed", "\(seed % UInt64(Int32.max))"), ("nthread", "\(threads)"), ("verbosity", "0")
        ]
        switch kind {
        case .gbdt:
            parameters += [
                ("booster", "gbtree"), ("tree_method", "hist"), ("max_depth", "\(maxDepth)"),
                ("eta", "\(learningRate)"), ("subsample", "\(subsample)"), ("colsample_bytree", "\(columnSample)"),
                ("lambda", "\(lambda)"), ("min_child_weight", "1")
            ]
        case .rf:
            parameters += [
                ("booster", "gbtree"), ("tree_method", "hist"), ("max_depth", "\(maxDepth)"),
                ("eta", "1"), ("num_parallel_tree", "\(trees)"), ("subsample", "\(subsample)"),
                ("colsample_bynode", "\(columnSample)"), ("lambda", "\(lambda)")
            ]
        case .logistic:
            // coord_descent: deterministic, unlike the default parallel "shotgun" updater.
            parameters += [
                ("booster", "gblinear"), ("updater", "coord_descent"), ("eta", "\(learningRate)"),
                ("lambda", "\(lambda)"), ("alpha", "0")
            ]
        }
        return parameters
    }
}

public struct FitSettings: Codable, Sendable, Equatable {
    public var threads = max(ProcessInfo.processInfo.activeProcessorCount, 1)
    public var seed: UInt64 = 42
    public var maxRounds = 400
    public var earlyStoppingRounds = 50

    public init() {}
}
