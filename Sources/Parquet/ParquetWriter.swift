import Dispatch
import Foundation

/// Writes a flat Parquet file (format 2, data pages v1) into memory: rows arrive in batches of
/// columns, row groups of `rowGroupRows` rows (or `rowGroupBytes`, whichever comes first) are
/// encoded column by column on all cores, and `finish` adds the Thrift compact footer.
///
/// Our own writer, because Debian 12 packages no Arrow or Parquet library for C, C++ or Swift, and
/// the format's write side is small: the footer's Thrift structs, PLAIN and dictionary encodings,
/// the RLE / bit-packed hybrid, and libzstd (Debian's libzstd-dev) for the ZSTD codec.
public final class ParquetWriter {
    public enum Compression: Sendable, Equatable {
        case uncompressed
        /// ZSTD (codec 6) at a libzstd level; 1 is pyarrow's default.
        case zstd(level: Int32)

        var codec: Int32 {
            switch self {
            case .uncompressed: 0
            case .zstd: 6
            }
        }
    }

    public struct Options: Sendable {
        public var rowGroupRows = 131_072
        public var rowGroupBytes = 64 << 20
        public var pageBytes = 1 << 20
        /// A string column whose distinct values take more than this is written PLAIN.
        public var dictionaryBytes = 1 << 20
        public var compression = Compression.zstd(level: 1)
        public var createdBy = "mntrading"

        public init() {}
    }

    public let schema: ParquetSchema
    public let options: Options
    private var buffers: [ColumnBuffer]
    private var output = Data()
    private var rowGroups: [Footer.RowGroup] = []
    private var rows: Int64 = 0
    private var finished = false

    public init(schema: ParquetSchema, options: Options = Options()) {
        precondition(!schema.columns.isEmpty, "a Parquet file needs a column")
        self.schema = schema
        self.options = options
        buffers = schema.columns.map(ColumnBuffer.init(column:))
        output.append(contentsOf: Self.magic)
    }

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Rows written so far (buffered ones included).
    public var rowCount: Int64 { rows + Int64(buffers[0].rows) }

    /// Appends rows: one value array per schema column, all of the same length.
    public func append(_ columns: [ParquetColumnValues]) throws {
        guard !finished else { throw ParquetError("the file is already finished") }
        guard columns.count == schema.columns.count else {
            throw ParquetError("a batch has \(columns.count) columns, the schema \(schema.columns.count)")
        }
        let count = columns[0].count
        if let odd = columns.firstIndex(where: { $0.count != count }) {
            throw ParquetError(
                "column \(schema.columns[odd].name) has \(columns[odd].count) rows, \(schema.columns[0].name) \(count)")
        }
        var start = 0
        while start < count {
            let take = min(count - start, options.rowGroupRows - buffers[0].rows)
            let whole = start == 0 && take == count
            for index in columns.indices {
                try buffers[index].append(whole ? columns[index] : columns[index].slice(start..<start + take))
            }
            start += take
            if buffers[0].rows >= options.rowGroupRows
                || buffers.reduce(0, { $0 + $1.estimatedBytes }) >= options.rowGroupBytes
            {
                try flushRowGroup()
            }
        }
    }

    /// Writes what is buffered and the footer; returns the whole file.
    public func finish() throws -> Data {
        guard !finished else { throw ParquetError("the file is already finished") }
        if buffers[0].rows > 0 { try flushRowGroup() }
        finished = true
        let footer = Footer.fileMetaData(
            schema: schema, numRows: rows, rowGroups: rowGroups, createdBy: options.createdBy)
        output.append(contentsOf: footer)
        withUnsafeBytes(of: UInt32(footer.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: Self.magic)
        return output
    }

    private func flushRowGroup() throws {
        let encoded = try Self.encodeInParallel(buffers, options: options)
        let groupOffset = Int64(output.count)
        var chunks: [Footer.ColumnChunk] = []
        for (index, chunk) in encoded.enumerated() {
            let start = Int64(output.count)
            output.append(contentsOf: chunk.bytes)
            chunks.append(
                Footer.ColumnChunk(
                    type: schema.columns[index].physicalType, encodings: chunk.encodings,
                    path: schema.columns[index].name, codec: options.compression.codec,
                    numValues: Int64(chunk.rows), totalUncompressedSize: Int64(chunk.uncompressedSize),
                    totalCompressedSize: Int64(chunk.bytes.count),
                    dataPageOffset: start + Int64(chunk.dictionaryPageLength ?? 0),
                    dictionaryPageOffset: chunk.dictionaryPageLength == nil ? nil : start,
                    statistics: chunk.statistics))
        }
        rowGroups.append(
            Footer.RowGroup(
                columns: chunks, numRows: Int64(buffers[0].rows), fileOffset: groupOffset,
                ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rows += Int64(buffers[0].rows)
        for index in buffers.indices { buffers[index].removeAll() }
    }

    /// One column per task: encoding and compression are independent between columns.
    private static func encodeInParallel(_ buffers: [ColumnBuffer], options: Options) throws -> [EncodedChunk] {
        let results = ResultSlots(count: buffers.count)
        defer { results.release() }
        DispatchQueue.concurrentPerform(iterations: buffers.count) { index in
            results.set(index, Result { try ColumnChunkEncoder.encode(buffers[index], options: options) })
        }
        return try results.values()
    }
}

/// One result per task, each written by its own task only, read after all have finished.
private struct ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<EncodedChunk, Error>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    func set(_ index: Int, _ result: Result<EncodedChunk, Error>) { slots[index] = result }

    func values() throws -> [EncodedChunk] { try slots.map { try $0!.get() } }

    func release() {
        _ = slots.deinitialize()
        slots.deallocate()
    }
}
