import Foundation
import TrainingRecords

/// A fitted model: the booster, how many rounds it uses, and (linear model) its standardisation.
package final class FittedModel {
    let candidate: Candidate
    package let booster: Booster
    let rounds: Int
    let standardisation: Standardisation?
    let columns: Int

    init(candidate: Candidate, booster: Booster, rounds: Int, standardisation: Standardisation?, columns: Int) {
        self.candidate = candidate
        self.booster = booster
        self.rounds = rounds
        self.standardisation = standardisation
        self.columns = columns
    }

    func matrix(rows: [Int], values: [Double], labels: [Int]? = nil) throws -> DMatrix {
        try Self.matrix(
            rows: rows, values: values, columns: columns, standardisation: standardisation, labels: labels,
            timing: booster.timing)
    }

    static func matrix(
        rows: [Int], values: [Double], columns: Int, standardisation: Standardisation?, labels: [Int]?,
        timing: TimeAccount
    ) throws -> DMatrix {
        var floats = [Float](repeating: 0, count: rows.count * columns)
        for (slot, row) in rows.enumerated() {
            for column in 0..<columns {
                let value = values[row * columns + column]
                floats[slot * columns + column] = Float(standardisation?.apply(value, column: column) ?? value)
            }
        }
        return try DMatrix(
            values: floats, rows: rows.count, columns: columns,
            labels: labels.map { labels in rows.map { Float(labels[$0]) } }, timing: timing)
    }

    func predict(rows: [Int], values: [Double]) throws -> [Double] {
        guard !rows.isEmpty else { return [] }
        let matrix = try matrix(rows: rows, values: values)
        // 0 = all rounds: a forest has one, a linear model was refitted to exactly `rounds`.
        let iterations = candidate.kind == .gbdt ? rounds : 0
        return try booster.predict(matrix, iterations: iterations).map(Double.init)
    }

    /// Fits on `fit` rows, early-stopping on `validation` rows when given (not for the forest,
    /// which is a single round), or for exactly `fixedRounds` rounds.
    package static func fit(
        _ candidate: Candidate, values: [Double], columns: Int, labels: [Int], fit: [Int], validation: [Int],
        settings: FitSettings, fixedRounds: Int? = nil, timing: TimeAccount = .none
    ) throws -> FittedModel {
        let standardisation =
            candidate.kind == .logistic
            ? Standardisation(rows: fit.min()!..<(fit.max()! + 1), values: values, columns: columns) : nil
        let train = try matrix(
            rows: fit, values: values, columns: columns, standardisation: standardisation, labels: labels,
            timing: timing)
        let valid =
            validation.isEmpty
            ? nil
            : try matrix(
                rows: validation, values: values, columns: columns, standardisation: standardisation, labels: labels,
                timing: timing)
        let booster = try Booster(
            parameters: candidate.parameters(seed: settings.seed, threads: settings.threads),
            cache: [train] + (valid.map { [$0] } ?? []), timing: timing)
        if candidate.kind == .rf {
            try booster.update(iteration: 0, train: train)
            return FittedModel(
                candidate: candidate, booster: booster, rounds: 1, standardisation: standardisation, columns: columns)
        }
        let limit = fixedRounds ?? settings.maxRounds
        var best = (loss: Double.infinity, rounds: limit)
        for iteration in 0..<limit {
            try booster.update(iteration: iteration, train: train)
            guard fixedRounds == nil, let valid else { continue }
            let loss = try booster.evaluate(iteration: iteration, matrix: valid)
            if loss < best.loss - 1e-12 { best = (loss, iteration + 1) }
            if iteration + 1 - best.rounds >= settings.earlyStoppingRounds { break }
        }
        let rounds = fixedRounds ?? (valid == nil ? limit : best.rounds)
        if candidate.kind == .logistic && fixedRounds == nil && valid != nil {
            // gblinear cannot predict with fewer rounds than it ran: refit to the early-stopped count.
            return try Self.fit(
                candidate, values: values, columns: columns, labels: labels, fit: fit, validation: [],
                settings: settings, fixedRounds: rounds, timing: timing)
        }
        return FittedModel(
            candidate: candidate, booster: booster, rounds: rounds, standardisation: standardisation, columns: columns)
    }
}
