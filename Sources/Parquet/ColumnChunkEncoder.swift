#if _endian(big)
    #error("PLAIN values are written as the machine's bytes, which Parquet requires little-endian")
#endif

/// A column chunk as it goes into the file: its pages (a dictionary page first when dictionary
/// encoded) and what the footer says about them.
struct EncodedChunk: Sendable {
    var bytes: [UInt8]
    /// Bytes of the dictionary page at the start of `bytes`; nil when the chunk is PLAIN.
    var dictionaryPageLength: Int?
    var encodings: [Encoding]
    var rows: Int
    /// Headers plus uncompressed page bodies.
    var uncompressedSize: Int
    var statistics: Footer.Statistics
}

/// Encodes one column of a row group into data pages (v1) of about `pageBytes` each: definition
/// levels (RLE hybrid behind a 4-byte length) for a nullable column, then the values, PLAIN or,
/// for strings, RLE_DICTIONARY indices over a PLAIN dictionary page. A dictionary larger than
/// `dictionaryBytes` falls back to PLAIN for the chunk. Each page body is compressed on its own.
struct ColumnChunkEncoder {
    private let buffer: ColumnBuffer
    private let options: ParquetWriter.Options
    private let compressor: ZstdCompressor?
    private var out: [UInt8] = []
    private var compressed: [UInt8] = []
    private var uncompressedSize = 0

    static func encode(_ buffer: ColumnBuffer, options: ParquetWriter.Options) throws -> EncodedChunk {
        var encoder = try ColumnChunkEncoder(buffer: buffer, options: options)
        return try encoder.run()
    }

    private init(buffer: ColumnBuffer, options: ParquetWriter.Options) throws {
        self.buffer = buffer
        self.options = options
        switch options.compression {
        case .uncompressed: compressor = nil
        case .zstd(let level): compressor = try ZstdCompressor(level: level)
        }
    }

    private mutating func run() throws -> EncodedChunk {
        var statistics = Footer.Statistics(nullCount: Int64(buffer.rows - buffer.valueCount))
        var dictionaryPageLength: Int?
        var encodings: [Encoding] = [.plain, .rle]
        if buffer.column.physicalType == .byteArray,
            let dictionary = Dictionary(buffer.strings, limit: options.dictionaryBytes)
        {
            try writeDictionaryPage(dictionary)
            dictionaryPageLength = out.count
            encodings.append(.rleDictionary)
            statistics = ColumnStatistics.strings(dictionary.entries, nullCount: statistics.nullCount)
            try writeDataPages(dictionary: dictionary)
        } else {
            statistics = ColumnStatistics.of(buffer)
            try writeDataPages(dictionary: nil)
        }
        return EncodedChunk(
            bytes: out, dictionaryPageLength: dictionaryPageLength, encodings: encodings, rows: buffer.rows,
            uncompressedSize: uncompressedSize, statistics: statistics)
    }

    /// Distinct strings in first-seen order and each value's index.
    struct Dictionary {
        var entries: [String] = []
        var indices: [UInt32] = []
        var bitWidth: Int

        /// Nil when the entries' PLAIN bytes pass `limit`.
        init?(_ values: [String], limit: Int) {
            var lookup: [String: UInt32] = [:]
            var bytes = 0
            indices.reserveCapacity(values.count)
            // Consecutive equal values (a pair's rows) skip the hash: equal storage compares in O(1).
            var last: String?
            var lastIndex: UInt32 = 0
            for value in values {
                if let last, last == value {
                    indices.append(lastIndex)
                    continue
                }
                let index: UInt32
                if let known = lookup[value] {
                    index = known
                } else {
                    index = UInt32(entries.count)
                    lookup[value] = index
                    entries.append(value)
                    bytes += 4 + value.utf8.count
                    if bytes > limit { return nil }
                }
                indices.append(index)
                last = value
                lastIndex = index
            }
            // Width 0 is legal but not every reader takes it; one bit costs nothing after RLE.
            bitWidth = max(1, RLEHybrid.bitWidth(UInt32(max(entries.count, 1) - 1)))
        }
    }

    private mutating func writeDictionaryPage(_ dictionary: Dictionary) throws {
        var body: [UInt8] = []
        body.reserveCapacity(dictionary.entries.reduce(0) { $0 + 4 + $1.utf8.count })
        for entry in dictionary.entries { appendPlain(entry, to: &body) }
        try writePage(body) { uncompressed, compressed in
            Footer.dictionaryPageHeader(
                uncompressedSize: uncompressed, compressedSize: compressed, numValues: dictionary.entries.count)
        }
    }

    private mutating func writeDataPages(dictionary: Dictionary?) throws {
        var row = 0
        var value = 0
        repeat {
            let end = pageEnd(from: row, value: value, dictionary: dictionary)
            let values = buffer.column.nullable ? buffer.defined[row..<end].reduce(0) { $0 + ($1 ? 1 : 0) } : end - row
            var body: [UInt8] = []
            if buffer.column.nullable {
                let levels = RLEHybrid.encode(buffer.defined[row..<end].map { $0 ? 1 : 0 }, bitWidth: 1)
                appendUInt32(UInt32(levels.count), to: &body)
                body.append(contentsOf: levels)
            }
            let range = value..<value + values
            if let dictionary {
                body.append(UInt8(dictionary.bitWidth))
                dictionary.indices[range].withUnsafeBufferPointer {
                    RLEHybrid.encode($0, bitWidth: dictionary.bitWidth, into: &body)
                }
            } else {
                appendPlainValues(range, to: &body)
            }
            let rows = end - row
            try writePage(body) { uncompressed, compressed in
                Footer.dataPageHeader(
                    uncompressedSize: uncompressed, compressedSize: compressed, numValues: rows,
                    encoding: dictionary == nil ? .plain : .rleDictionary)
            }
            row = end
            value += values
        } while row < buffer.rows
    }

    /// The row after the last of the page starting at `row`: about `pageBytes` of values.
    private func pageEnd(from row: Int, value: Int, dictionary: Dictionary?) -> Int {
        let bytesPerValue: Int
        switch buffer.column.physicalType {
        case .int64, .int32, .double: bytesPerValue = 8
        case .boolean: bytesPerValue = 1 // a bit each, but pages of a million rows are plenty
        case .byteArray:
            guard dictionary == nil else {
                bytesPerValue = 1
                break
            }
            // PLAIN strings: walk until the page is full.
            var bytes = 0
            var end = row
            var next = value
            while end < buffer.rows && bytes < options.pageBytes {
                if !buffer.column.nullable || buffer.defined[end] {
                    bytes += 4 + buffer.strings[next].utf8.count
                    next += 1
                }
                end += 1
            }
            return end
        }
        return min(buffer.rows, row + max(1, options.pageBytes / bytesPerValue))
    }

    private func appendPlainValues(_ range: Range<Int>, to body: inout [UInt8]) {
        switch buffer.column.physicalType {
        case .int64, .int32:
            buffer.int64s[range].withUnsafeBytes { body.append(contentsOf: $0) }
        case .double:
            buffer.doubles[range].withUnsafeBytes { body.append(contentsOf: $0) }
        case .boolean:
            // PLAIN booleans are bit-packed, least significant bit first, without a run header.
            var byte: UInt8 = 0
            var bit = 0
            for value in buffer.booleans[range] {
                if value { byte |= 1 << UInt8(bit) }
                bit += 1
                if bit == 8 {
                    body.append(byte)
                    byte = 0
                    bit = 0
                }
            }
            if bit > 0 { body.append(byte) }
        case .byteArray:
            for value in buffer.strings[range] { appendPlain(value, to: &body) }
        }
    }

    private func appendPlain(_ value: String, to body: inout [UInt8]) {
        appendUInt32(UInt32(value.utf8.count), to: &body)
        body.append(contentsOf: value.utf8)
    }

    private func appendUInt32(_ value: UInt32, to body: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { body.append(contentsOf: $0) }
    }

    /// Header (made once the compressed size is known), then the body, compressed or not.
    private mutating func writePage(_ body: [UInt8], header: (_ uncompressed: Int, _ compressed: Int) -> [UInt8])
        throws
    {
        let headerBytes: [UInt8]
        if let compressor {
            let length = try compressor.compress(body, into: &compressed)
            headerBytes = header(body.count, length)
            out.append(contentsOf: headerBytes)
            out.append(contentsOf: compressed[0..<length])
        } else {
            headerBytes = header(body.count, body.count)
            out.append(contentsOf: headerBytes)
            out.append(contentsOf: body)
        }
        uncompressedSize += headerBytes.count + body.count
    }
}
