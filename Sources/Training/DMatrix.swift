import CXGBoost
import Foundation

/// A dense feature matrix in XGBoost's memory, freed on deinit. NaN marks a missing value.
package final class DMatrix {
    let handle: DMatrixHandle
    let rows: Int
    let columns: Int

    /// `values` is row-major, `rows × columns`.
    package init(values: [Float], rows: Int, columns: Int, labels: [Float]? = nil, timing: TimeAccount = .none) throws {
        precondition(values.count == rows * columns, "matrix shape mismatch")
        var handle: DMatrixHandle?
        try timing.measure {
            try values.withUnsafeBufferPointer { buffer in
                try xgbCheck(
                    XGDMatrixCreateFromMat(buffer.baseAddress, bst_ulong(rows), bst_ulong(columns), Float.nan, &handle))
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
