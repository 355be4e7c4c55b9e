import CXGBoost
import Foundation

/// One XGBoost model, freed on deinit. Not thread-safe: one booster per task.
package final class Booster {
    let handle: BoosterHandle
    /// Where the time of its calls goes, and of the matrices made to predict with it.
    let timing: TimeAccount

    /// A new booster with `parameters`, caching the matrices it will train and evaluate on.
    init(parameters: [(String, String)], cache: [DMatrix], timing: TimeAccount = .none) throws {
        self.timing = timing
        var handle: BoosterHandle?
        var handles: [DMatrixHandle?] = cache.map { $0.handle }
        try xgbCheck(XGBoosterCreate(&handles, bst_ulong(handles.count), &handle))
        self.handle = handle!
        for (name, value) in parameters {
            try xgbCheck(XGBoosterSetParam(self.handle, name, value))
        }
        withExtendedLifetime(cache) {}
    }

    /// A booster restored from `saveJSON()` output.
    package init(json: [UInt8], timing: TimeAccount = .none) throws {
        self.timing = timing
        var handle: BoosterHandle?
        try xgbCheck(XGBoosterCreate(nil, 0, &handle))
        self.handle = handle!
        try json.withUnsafeBytes { bytes in
            try xgbCheck(XGBoosterLoadModelFromBuffer(self.handle, bytes.baseAddress, bst_ulong(bytes.count)))
        }
    }

    deinit { XGBoosterFree(handle) }

    func update(iteration: Int, train: DMatrix) throws {
        try timing.measure { try xgbCheck(XGBoosterUpdateOneIter(handle, Int32(iteration), train.handle)) }
    }

    /// The evaluation metric on `matrix` after `iteration` (XGBoost's own evaluation string, parsed).
    func evaluate(iteration: Int, matrix: DMatrix, name: String = "valid") throws -> Double {
        var handles: [DMatrixHandle?] = [matrix.handle]
        var names: [UnsafePointer<CChar>?] = []
        var result: UnsafePointer<CChar>?
        try name.withCString { namePointer in
            names = [namePointer]
            try timing.measure {
                try xgbCheck(XGBoosterEvalOneIter(handle, Int32(iteration), &handles, &names, 1, &result))
            }
        }
        // "[12]\tvalid-logloss:0.652312"
        let text = String(cString: result!)
        guard let colon = text.lastIndex(of: ":"),
            let value = Double(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        else {
            throw XGBoostError(message: "unexpected evaluation output '\(text)'")
        }
        return value
    }

    /// Probabilities for every row, using the first `iterations` boosting rounds (0 = all).
    package func predict(_ matrix: DMatrix, iterations: Int = 0) throws -> [Float] {
        let config =
            #"{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": \#(iterations), "strict_shape": false}"#
        var shape: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try timing.measure {
            try xgbCheck(XGBoosterPredictFromDMatrix(handle, matrix.handle, config, &shape, &dimension, &result))
        }
        return Array(UnsafeBufferPointer(start: result, count: matrix.rows))
    }

    /// The model as XGBoost's JSON document: what the ONNX export reads, and byte-stable for a given
    /// seed and data (the determinism check hashes it).
    package func saveJSON() throws -> [UInt8] {
        var length: bst_ulong = 0
        var data: UnsafePointer<CChar>?
        try xgbCheck(XGBoosterSaveModelToBuffer(handle, #"{"format": "json"}"#, &length, &data))
        return data!.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    /// Average gain per feature ("gain" importance), keyed by feature index.
    func gainImportance() throws -> [Int: Double] {
        var count: bst_ulong = 0
        var names: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var dimension: bst_ulong = 0
        var shape: UnsafePointer<bst_ulong>?
        var scores: UnsafePointer<Float>?
        try xgbCheck(
            XGBoosterFeatureScore(handle, #"{"importance_type": "gain"}"#, &count, &names, &dimension, &shape, &scores))
        var result: [Int: Double] = [:]
        for index in 0..<Int(count) {
            // Unnamed features are reported as "f<index>".
            let name = String(cString: names![index]!)
            if name.hasPrefix("f"), let feature = Int(name.dropFirst()) { result[feature] = Double(scores![index]) }
        }
        return result
    }
}
