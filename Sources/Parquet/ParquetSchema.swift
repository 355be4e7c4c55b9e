/// The columns of a flat Parquet file (no nesting: every table we export is flat).
public struct ParquetSchema: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case int64
            /// INT64 with the TIMESTAMP(isAdjustedToUTC = true, MILLIS) logical type: epoch ms, UTC.
            case timestampMillis
            case double
            case boolean
            /// BYTE_ARRAY with the STRING logical type (UTF-8).
            case string
        }

        public var name: String
        public var kind: Kind
        /// OPTIONAL in the schema (definition levels written); REQUIRED otherwise.
        public var nullable: Bool

        public init(_ name: String, _ kind: Kind, nullable: Bool = false) {
            self.name = name
            self.kind = kind
            self.nullable = nullable
        }

        var physicalType: PhysicalType {
            switch kind {
            case .int64, .timestampMillis: .int64
            case .double: .double
            case .boolean: .boolean
            case .string: .byteArray
            }
        }
    }

    public var columns: [Column]

    public init(_ columns: [Column]) { self.columns = columns }
}

/// `parquet.thrift`'s `Type`.
enum PhysicalType: Int32 {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case double = 5
    case byteArray = 6
}

/// `parquet.thrift`'s `Encoding`.
enum Encoding: Int32 {
    case plain = 0
    case rle = 3
    case rleDictionary = 8
}
