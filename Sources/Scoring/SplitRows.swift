import Foundation

/// The rows of a plain `dataframe_split` body, already in a model's feature order.
struct SplitRows {
    var pairs: [String] = []
    /// Row-major, one slot per feature column.
    var values: [Float] = []
}
