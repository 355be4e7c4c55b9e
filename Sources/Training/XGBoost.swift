import CXGBoost
import Foundation

/// Wall time spent inside libxgboost calls, so benchmarks can tell XGBoost's own time from ours.
/// Time spent in one kind of work, summed over threads: what the timing reports compare.
public final class TimeAccount: @unchecked Sendable {
    // @unchecked Sendable: `total` is only read and written under `lock`.
    /// Every libxgboost call.
    public static let xgboost = TimeAccount()
    /// The honesty machinery: cross-fitted calibration, every candidate's out-of-fold backtest, the
    /// holdout, and the run's trial statistics (DSR, PBO).
    public static let honesty = TimeAccount()
    private let lock = NSLock()
    private var total = 0.0

    public var seconds: Double { lock.withLock { total } }
    public func reset() { lock.withLock { total = 0 } }

    func measure<T>(_ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { total += elapsed }
        }
        return try body()
    }
}

@inline(__always)
func xgbCheck(_ code: Int32) throws {
    guard code == 0 else { throw XGBoostError(message: String(cString: XGBGetLastError())) }
}

/// A dense feature matrix in XGBoost's memory, freed on deinit. NaN marks a missing value.
package final class DMatrix {
    let handle: DMatrixHandle
    let rows: Int
    let columns: Int

    /// `values` is row-major, `rows × columns`.
    package init(values: [Float], rows: Int, columns: Int, labels: [Float]? = nil) throws {
        precondition(values.count == rows * columns, "matrix shape mismatch")
        var handle: DMatrixHandle?
        try TimeAccount.xgboost.measure {
            try values.withUnsafeBufferPointer { buffer in
                try xgbCheck(XGDMatrixCreateFromMat(buffer.baseAddress, bst_ulong(rows), bst_ulong(columns), Float.nan, &handle))
            }
        }
        self.handle = handle!
        self.rows = rows
        self.columns = columns
        if let labels {
            precondition(labels.count == rows, "label count mismatch")
            try labels.withUnsafeBufferPointer { buffer in
                try xgbCheck(XGDMatrixSetFloatInfo(self.handle, "label", buffer.baseAddress, bst_ulong(rows)))
            }
        }
    }

    deinit { XGDMatrixFree(handle) }
}

/// One XGBoost model, freed on deinit. Not thread-safe: one booster per task.
package final class Booster {
    let handle: BoosterHandle

    /// A new booster with `parameters`, caching the matrices it will train and evaluate on.
    init(parameters: [(String, String)], cache: [DMatrix]) throws {
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
    package init(json: [UInt8]) throws {
        var handle: BoosterHandle?
        try xgbCheck(XGBoosterCreate(nil, 0, &handle))
        self.handle = handle!
        try json.withUnsafeBytes { bytes in
            try xgbCheck(XGBoosterLoadModelFromBuffer(self.handle, bytes.baseAddress, bst_ulong(bytes.count)))
        }
    }

    deinit { XGBoosterFree(handle) }

    func update(iteration: Int, train: DMatrix) throws {
        try TimeAccount.xgboost.measure { try xgbCheck(XGBoosterUpdateOneIter(handle, Int32(iteration), train.handle)) }
    }

    /// The evaluation metric on `matrix` after `iteration` (XGBoost's own evaluation string, parsed).
    func evaluate(iteration: Int, matrix: DMatrix, name: String = "valid") throws -> Double {
        var handles: [DMatrixHandle?] = [matrix.handle]
        var names: [UnsafePointer<CChar>?] = []
        var result: UnsafePointer<CChar>?
        try name.withCString { namePointer in
            names = [namePointer]
            try TimeAccount.xgboost.measure { try xgbCheck(XGBoosterEvalOneIter(handle, Int32(iteration), &handles, &names, 1, &result)) }
        }
        // "[12]\tvalid-logloss:0.652312"
        let text = String(cString: result!)
        guard let colon = text.lastIndex(of: ":"), let value = Double(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else {
            throw XGBoostError(message: "unexpected evaluation output '\(text)'")
        }
        return value
    }

    /// Probabilities for every row, using the first `iterations` boosting rounds (0 = all).
    package func predict(_ matrix: DMatrix, iterations: Int = 0) throws -> [Float] {
        let config = #"{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": \#(iterations), "strict_shape": false}"#
        var shape: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try TimeAccount.xgboost.measure { try xgbCheck(XGBoosterPredictFromDMatrix(handle, matrix.handle, config, &shape, &dimension, &result)) }
        return Array(UnsafeBufferPointer(start: result, count: matrix.rows))
    }

    /// The model as XGBoost's JSON document: what the ONNX export reads, and byte-stable for a given
    /// seed and data (the determinism check hashes it).
    package func saveJSON() throws -> [UInt8] {
        var length: bst_ulong = 0
        var data: UnsafePointer<CChar>?
        try xgbCheck(XGBoosterSaveModelToBuffer(handle, #"{"format": "json"}"#, &length, &data))
        return data!.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }

    /// Average gain per feature ("gain" importance), keyed by feature index.
    func gainImportance() throws -> [Int: Double] {
        var count: bst_ulong = 0
        var names: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var dimension: bst_ulong = 0
        var shape: UnsafePointer<bst_ulong>?
        var scores: UnsafePointer<Float>?
        try xgbCheck(XGBoosterFeatureScore(handle, #"{"importance_type": "gain"}"#, &count, &names, &dimension, &shape, &scores))
        var result: [Int: Double] = [:]
        for index in 0..<Int(count) {
            // Unnamed features are reported as "f<index>".
            let name = String(cString: names![index]!)
            if name.hasPrefix("f"), let feature = Int(name.dropFirst()) { result[feature] = Double(scores![index]) }
        }
        return result
    }
}
