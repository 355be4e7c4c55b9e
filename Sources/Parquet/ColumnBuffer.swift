/// The rows of one column waiting for their row group: the non-null values by physical type, and
/// for a nullable column whether each row has a value (its definition level).
struct ColumnBuffer: Sendable {
    let column: ParquetSchema.Column
    var int64s: [Int64] = []
    var doubles: [Double] = []
    var booleans: [Bool] = []
    var strings: [String] = []
    /// One per row, nullable columns only.
    var defined: [Bool] = []
    private(set) var rows = 0
    /// UTF-8 bytes of the buffered strings, for the row group's size.
    private(set) var stringBytes = 0

    init(column: ParquetSchema.Column) { self.column = column }

    var valueCount: Int {
        switch column.physicalType {
        case .int64, .int32: int64s.count
        case .double: doubles.count
        case .boolean: booleans.count
        case .byteArray: strings.count
        }
    }

    /// What the rows take plain-encoded, roughly: when a row group is full.
    var estimatedBytes: Int {
        switch column.physicalType {
        case .int64, .int32, .double: valueCount * 8 + defined.count / 8
        case .boolean: valueCount / 8 + defined.count / 8
        case .byteArray: stringBytes + 4 * strings.count + defined.count / 8
        }
    }

    mutating func append(_ values: ParquetColumnValues) throws {
        switch (column.kind, values) {
        case (.int64, .int64(let values)), (.timestampMillis, .int64(let values)):
            int64s.append(contentsOf: values)
            markDefined(values.count)
        case (.int64, .optionalInt64(let values)), (.timestampMillis, .optionalInt64(let values)):
            try appendOptional(values, to: \.int64s)
        case (.double, .double(let values)):
            doubles.append(contentsOf: values)
            markDefined(values.count)
        case (.double, .optionalDouble(let values)):
            try appendOptional(values, to: \.doubles)
        case (.boolean, .boolean(let values)):
            booleans.append(contentsOf: values)
            markDefined(values.count)
        case (.boolean, .optionalBoolean(let values)):
            try appendOptional(values, to: \.booleans)
        case (.string, .string(let values)):
            strings.append(contentsOf: values)
            for value in values { stringBytes += value.utf8.count }
            markDefined(values.count)
        case (.string, .optionalString(let values)):
            try requireNullable()
            for value in values {
                if let value {
                    strings.append(value)
                    stringBytes += value.utf8.count
                }
                defined.append(value != nil)
            }
        default:
            throw ParquetError("column \(column.name) (\(column.kind)) cannot take \(values.caseName) values")
        }
        rows += values.count
    }

    mutating func removeAll() {
        int64s.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        booleans.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
        defined.removeAll(keepingCapacity: true)
        rows = 0
        stringBytes = 0
    }

    /// The non-null values, and a definition level per row.
    private mutating func appendOptional<Value>(_ values: [Value?], to storage: WritableKeyPath<Self, [Value]>) throws {
        try requireNullable()
        for value in values {
            if let value { self[keyPath: storage].append(value) }
            defined.append(value != nil)
        }
    }

    private mutating func markDefined(_ count: Int) {
        if column.nullable { defined.append(contentsOf: repeatElement(true, count: count)) }
    }

    private func requireNullable() throws {
        guard column.nullable else { throw ParquetError("column \(column.name) is required but was given nulls") }
    }
}

extension ParquetColumnValues {
    var caseName: String {
        switch self {
        case .int64: "int64"
        case .optionalInt64: "optional int64"
        case .double: "double"
        case .optionalDouble: "optional double"
        case .boolean: "boolean"
        case .optionalBoolean: "optional boolean"
        case .string: "string"
        case .optionalString: "optional string"
        }
    }
}
