import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch
import Scoring
import Basics
import Store
import TrainingRecords
import Training

/// Writes the latest training run's models as ONNX members with check data beside them: feature rows
/// (some with NaNs), XGBoost's own probabilities and the native evaluator's, so that
/// scripts/checks/check-onnx.py can hold onnxruntime, XGBoost and our evaluator to the same numbers.
public struct MemberExport: Sendable {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    public struct CheckData: Codable, Sendable {
        public var pair: String
        public var kind: String
        public var rows: [[Float]]
        public var xgboost: [Double]
        public var native: [Double]
    }

    public func write(to directory: String, maxRows: Int = 2_000) throws -> [String] {
        let definition = try store.read { db in try DatasetRecord.load(db) }.definition
        let entries = try store.read { db in
            try TrainingRunRecords.latestCompleteId(db).map { try TrainingRunRecords.trainedPairs(db, runId: $0) } ?? []
        }
        guard !entries.isEmpty else {
            throw TrainingError.missingInput("no trained pairs in the latest complete training run")
        }
        var written: [String] = []
        for entry in entries {
            let result = entry.result
            let pair = result.pair
            let json = entry.model ?? []
            let member = try XGBoostExport.member(fromJSON: json, standardisation: result.standardisation)
            let dataset = PairDataset(
                pair: pair, rows: try store.featureRows(pair: pair, timeframe: definition.timeframe),
                definition: definition)
            let columns = dataset.featureNames.count
            let step = max(1, dataset.count / maxRows)
            var rows = stride(from: 0, to: dataset.count, by: step).map { row in
                (0..<columns).map { Float(dataset.features[row * columns + $0]) }
            }
            // Missing values must take each tree's default branch (and the linear model's imputation).
            for index in stride(from: 0, to: rows.count, by: 7) { rows[index][index % columns] = .nan }
            let booster = try Booster(json: json)
            let matrixValues = rows.flatMap { row in
                row.enumerated().map { column, value in
                    result.standardisation.map { Float($0.apply(Double(value), column: column)) } ?? value
                }
            }
            let matrix = try DMatrix(values: matrixValues, rows: rows.count, columns: columns)
            let xgboost = try booster.predict(matrix).map(Double.init)
            let native = CompiledMember(member).probabilities(rows)
            let base = (directory as NSString).appendingPathComponent(pair)
            try AtomicFile.write(Data(try ONNXMember.serialize(member, name: pair)), to: base + ".onnx")
            let check = CheckData(
                pair: pair, kind: result.champion?.kind.rawValue ?? "?", rows: rows, xgboost: xgboost, native: native)
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try encoder.encode(check), to: base + ".check.json")
            written.append(base + ".onnx")
        }
        return written
    }
}
