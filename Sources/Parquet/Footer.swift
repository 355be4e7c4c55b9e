/// The Thrift structs of the footer and the page headers (`parquet.thrift`), with the field ids
/// the specification gives them; only the fields this writer sets.
enum Footer {
    /// `Statistics`: min_value / max_value (fields 6 and 5, the ordering of the column's logical
    /// type) and null_count; the deprecated min/max (fields 2 and 1) are not written.
    struct Statistics: Equatable {
        var nullCount: Int64
        var min: [UInt8]?
        var max: [UInt8]?

        func write(_ id: Int16, to writer: inout ThriftCompactWriter) {
            writer.beginStruct(id)
            writer.i64(3, nullCount)
            if let max { writer.binary(5, max) }
            if let min { writer.binary(6, min) }
            writer.endStruct()
        }
    }

    struct ColumnChunk {
        var type: PhysicalType
        var encodings: [Encoding]
        var path: String
        var codec: Int32
        var numValues: Int64
        var totalUncompressedSize: Int64
        var totalCompressedSize: Int64
        var dataPageOffset: Int64
        var dictionaryPageOffset: Int64?
        var statistics: Statistics

        /// `ColumnChunk` with its `ColumnMetaData` inline (field 3).
        func write(to writer: inout ThriftCompactWriter) {
            writer.beginElement()
            writer.i64(2, dictionaryPageOffset ?? dataPageOffset) // file_offset: where the chunk starts
            writer.beginStruct(3)
            writer.i32(1, type.rawValue)
            writer.listHeader(2, .i32, count: encodings.count)
            for encoding in encodings { writer.i32Element(encoding.rawValue) }
            writer.listHeader(3, .binary, count: 1)
            writer.binaryElement(Array(path.utf8))
            writer.i32(4, codec)
            writer.i64(5, numValues)
            writer.i64(6, totalUncompressedSize)
            writer.i64(7, totalCompressedSize)
            writer.i64(9, dataPageOffset)
            if let dictionaryPageOffset { writer.i64(11, dictionaryPageOffset) }
            statistics.write(12, to: &writer)
            writer.endStruct()
            writer.endStruct()
        }
    }

    struct RowGroup {
        var columns: [ColumnChunk]
        var numRows: Int64
        var fileOffset: Int64
        var ordinal: Int16

        func write(to writer: inout ThriftCompactWriter) {
            writer.beginElement()
            writer.listHeader(1, .struct, count: columns.count)
            for column in columns { column.write(to: &writer) }
            writer.i64(2, columns.reduce(0) { $0 + $1.totalUncompressedSize })
            writer.i64(3, numRows)
            writer.i64(5, fileOffset)
            writer.i64(6, columns.reduce(0) { $0 + $1.totalCompressedSize })
            writer.fieldHeader(7, .i16)
            writer.i32Element(Int32(ordinal)) // an i16 is a zigzag varint too
            writer.endStruct()
        }
    }

    /// `FileMetaData`: version, the flattened schema (a root with the columns as children),
    /// rows, row groups, created_by and a TYPE_ORDER column order per column, which tells readers
    /// the min_value / max_value follow the logical type's ordering.
    static func fileMetaData(
        schema: ParquetSchema, numRows: Int64, rowGroups: [RowGroup], createdBy: String
    ) -> [UInt8] {
        var writer = ThriftCompactWriter()
        writer.i32(1, 2)
        writer.listHeader(2, .struct, count: schema.columns.count + 1)
        writer.beginElement()
        writer.string(4, "schema")
        writer.i32(5, Int32(schema.columns.count))
        writer.endStruct()
        for column in schema.columns { writeSchemaElement(column, to: &writer) }
        writer.i64(3, numRows)
        writer.listHeader(4, .struct, count: rowGroups.count)
        for rowGroup in rowGroups { rowGroup.write(to: &writer) }
        writer.string(6, createdBy)
        writer.listHeader(7, .struct, count: schema.columns.count)
        for _ in schema.columns {
            writer.beginElement()
            writer.beginStruct(1) // TYPE_ORDER: an empty TypeDefinedOrder
            writer.endStruct()
            writer.endStruct()
        }
        writer.endMessage()
        return writer.bytes
    }

    private static func writeSchemaElement(_ column: ParquetSchema.Column, to writer: inout ThriftCompactWriter) {
        writer.beginElement()
        writer.i32(1, column.physicalType.rawValue)
        writer.i32(3, column.nullable ? 1 : 0) // OPTIONAL : REQUIRED
        writer.string(4, column.name)
        switch column.kind {
        case .string:
            writer.i32(6, 0) // converted_type UTF8, for readers that predate logical types
            writer.beginStruct(10)
            writer.beginStruct(1) // STRING
            writer.endStruct()
            writer.endStruct()
        case .timestampMillis:
            writer.i32(6, 9) // converted_type TIMESTAMP_MILLIS
            writer.beginStruct(10)
            writer.beginStruct(8) // TIMESTAMP
            writer.bool(1, true) // isAdjustedToUTC
            writer.beginStruct(2) // unit
            writer.beginStruct(1) // MILLIS
            writer.endStruct()
            writer.endStruct()
            writer.endStruct()
            writer.endStruct()
        case .int64, .double, .boolean:
            break
        }
        writer.endStruct()
    }

    /// `PageHeader` of a DATA_PAGE (v1): values PLAIN or RLE_DICTIONARY, levels RLE.
    static func dataPageHeader(
        uncompressedSize: Int, compressedSize: Int, numValues: Int, encoding: Encoding
    ) -> [UInt8] {
        var writer = pageHeader(type: 0, uncompressedSize: uncompressedSize, compressedSize: compressedSize)
        writer.beginStruct(5)
        writer.i32(1, Int32(numValues))
        writer.i32(2, encoding.rawValue)
        writer.i32(3, Encoding.rle.rawValue)
        writer.i32(4, Encoding.rle.rawValue)
        writer.endStruct()
        writer.endMessage()
        return writer.bytes
    }

    /// `PageHeader` of a DICTIONARY_PAGE, its entries PLAIN.
    static func dictionaryPageHeader(uncompressedSize: Int, compressedSize: Int, numValues: Int) -> [UInt8] {
        var writer = pageHeader(type: 2, uncompressedSize: uncompressedSize, compressedSize: compressedSize)
        writer.beginStruct(7)
        writer.i32(1, Int32(numValues))
        writer.i32(2, Encoding.plain.rawValue)
        writer.endStruct()
        writer.endMessage()
        return writer.bytes
    }

    /// A `PageHeader`'s first fields: page type (0 DATA_PAGE, 2 DICTIONARY_PAGE) and sizes.
    private static func pageHeader(type: Int32, uncompressedSize: Int, compressedSize: Int) -> ThriftCompactWriter {
        var writer = ThriftCompactWriter()
        writer.i32(1, type)
        writer.i32(2, Int32(uncompressedSize))
        writer.i32(3, Int32(compressedSize))
        return writer
    }
}
