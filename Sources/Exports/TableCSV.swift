import Parquet

/// A table's batches as CSV (RFC 4180): the schema's names as the header, times and integers as
/// integers (epoch ms, as the store keeps them), doubles in Swift's shortest round-trip form (`nan`,
/// `inf` for non-finite ones), a NULL as an empty field, a string quoted when it holds a comma, a
/// quote or a line break.
enum TableCSV {
    static func header(_ schema: ParquetSchema) -> String {
        schema.columns.map { field($0.name) }.joined(separator: ",") + "\n"
    }

    static func append(_ batch: [ParquetColumnValues], to text: inout String) {
        guard let rows = batch.first?.count else { return }
        for row in 0..<rows {
            for (index, column) in batch.enumerated() {
                if index > 0 { text += "," }
                text += cell(column, row)
            }
            text += "\n"
        }
    }

    private static func cell(_ column: ParquetColumnValues, _ row: Int) -> String {
        switch column {
        case .int64(let values): "\(values[row])"
        case .optionalInt64(let values): values[row].map { "\($0)" } ?? ""
        case .double(let values): "\(values[row])"
        case .optionalDouble(let values): values[row].map { "\($0)" } ?? ""
        case .boolean(let values): values[row] ? "true" : "false"
        case .optionalBoolean(let values): values[row].map { $0 ? "true" : "false" } ?? ""
        case .string(let values): field(values[row])
        case .optionalString(let values): values[row].map(field) ?? ""
        }
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
