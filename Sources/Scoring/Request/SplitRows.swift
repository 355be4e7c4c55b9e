import Foundation

/// The rows of a plain `dataframe_split` body, already in a model's feature order.
struct SplitRows {
    /// Each row's member: its pair's index in the router's pair table.
    var members: [Int32] = []
    /// Row-major, one slot per feature column.
    var values: [Float] = []
}

/// What the fast readers need of a router: its feature columns and pair ids, found by their bytes.
struct RowReading: Sendable {
    let featureColumns: [String]
    /// The feature columns in order, then `pair`.
    let columns: NameTable
    let pairs: NameTable

    init(featureColumns: [String], pairs: [String]) {
        self.featureColumns = featureColumns
        columns = NameTable(featureColumns + ["pair"])
        self.pairs = NameTable(pairs)
    }
}
