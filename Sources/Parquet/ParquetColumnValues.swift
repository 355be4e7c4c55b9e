/// One column's values for a run of rows, as handed to `ParquetWriter.append`. The optional cases
/// are for nullable columns (a nil is a null); a required column takes the plain cases only.
public enum ParquetColumnValues: Sendable {
    case int64([Int64])
    case optionalInt64([Int64?])
    case double([Double])
    case optionalDouble([Double?])
    case boolean([Bool])
    case optionalBoolean([Bool?])
    case string([String])
    case optionalString([String?])

    public var count: Int {
        switch self {
        case .int64(let values): values.count
        case .optionalInt64(let values): values.count
        case .double(let values): values.count
        case .optionalDouble(let values): values.count
        case .boolean(let values): values.count
        case .optionalBoolean(let values): values.count
        case .string(let values): values.count
        case .optionalString(let values): values.count
        }
    }

    /// Rows `range` only.
    func slice(_ range: Range<Int>) -> ParquetColumnValues {
        switch self {
        case .int64(let values): .int64(Array(values[range]))
        case .optionalInt64(let values): .optionalInt64(Array(values[range]))
        case .double(let values): .double(Array(values[range]))
        case .optionalDouble(let values): .optionalDouble(Array(values[range]))
        case .boolean(let values): .boolean(Array(values[range]))
        case .optionalBoolean(let values): .optionalBoolean(Array(values[range]))
        case .string(let values): .string(Array(values[range]))
        case .optionalString(let values): .optionalString(Array(values[range]))
        }
    }
}
