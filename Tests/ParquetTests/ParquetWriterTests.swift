import Foundation
@testable import Parquet
import Testing

struct ParquetWriterTests {
    static let schema = ParquetSchema([
        .init("pair", .string), .init("open_time", .timestampMillis), .init("x", .double),
        .init("n", .int64, nullable: true), .init("s", .string, nullable: true), .init("b", .boolean),
        .init("d", .double, nullable: true)
    ])

    static func rows(_ count: Int) -> [ParquetColumnValues] {
        [
            .string((0..<count).map { $0 < count / 2 ? "A__B" : "C__D" }),
            .int64((0..<count).map { 1_700_000_000_000 + Int64($0) * 300_000 }),
            .double((0..<count).map { Double($0) * 0.1 - 3 }),
            .optionalInt64((0..<count).map { $0 % 3 == 0 ? nil : Int64($0) - 100 }),
            .optionalString((0..<count).map { $0 % 5 == 0 ? nil : "v\($0 % 17)é" }),
            .boolean((0..<count).map { $0 % 2 == 0 }),
            .optionalDouble((0..<count).map { _ in nil })
        ]
    }

    static func uncompressed(rowGroupRows: Int = 1_000, pageBytes: Int = 512) -> ParquetWriter.Options {
        var options = ParquetWriter.Options()
        options.compression = .uncompressed
        options.rowGroupRows = rowGroupRows
        options.pageBytes = pageBytes
        return options
    }

    /// Several row groups and many pages per chunk; nulls, dictionaries, booleans; every value back.
    @Test func everyValueReadsBackThroughAnIndependentReader() throws {
        let writer = ParquetWriter(schema: Self.schema, options: Self.uncompressed())
        // Batches that straddle row groups.
        try writer.append(Array(Self.rows(2_500).map { $0.slice(0..<700) }))
        try writer.append(Array(Self.rows(2_500).map { $0.slice(700..<2_500) }))
        let file = try ParquetFileReader(try writer.finish())
        #expect(file.footer[3]?.int == 2_500)
        #expect(file.rowGroups.map { $0[3]?.int } == [1_000, 1_000, 500])
        let n = 2_500
        let expected = Self.rows(n)
        guard case .string(let pairs) = expected[0], case .int64(let times) = expected[1],
            case .double(let xs) = expected[2], case .optionalInt64(let ns) = expected[3],
            case .optionalString(let ss) = expected[4], case .boolean(let bs) = expected[5]
        else {
            Issue.record("fixture")
            return
        }
        #expect(try file.column(0) == .string(pairs))
        #expect(try file.column(1) == .int64(times))
        #expect(try file.column(2) == .double(xs))
        #expect(try file.column(3) == .int64(ns))
        #expect(try file.column(4) == .string(ss))
        #expect(try file.column(5) == .boolean(bs))
        #expect(try file.column(6) == .double([Double?](repeating: nil, count: n)))
    }

    @Test func theSchemaNamesTypesRepetitionAndLogicalTypes() throws {
        let writer = ParquetWriter(schema: Self.schema, options: Self.uncompressed())
        try writer.append(Self.rows(10))
        let file = try ParquetFileReader(try writer.finish())
        let root = try #require(file.footer[2]?.list?.first)
        #expect(root[4]?.string == "schema" && root[5]?.int == 7 && root[1] == nil)
        #expect(file.schema.map { $0[4]?.string } == ["pair", "open_time", "x", "n", "s", "b", "d"])
        #expect(file.schema.map { $0[1]?.int } == [6, 2, 5, 2, 6, 0, 5])
        #expect(file.schema.map { $0[3]?.int } == [0, 0, 0, 1, 1, 0, 1])
        // STRING, and TIMESTAMP(isAdjustedToUTC = true, unit MILLIS), with the legacy converted types.
        #expect(file.schema[0][10]?[1] == .object([:]) && file.schema[0][6]?.int == 0)
        let timestamp = try #require(file.schema[1][10]?[8])
        #expect(timestamp[1]?.bool == true && timestamp[2]?[1] == .object([:]))
        #expect(file.schema[1][6]?.int == 9)
        #expect(file.footer[7]?.list?.count == 7)
    }

    @Test func statisticsPerChunk() throws {
        let writer = ParquetWriter(
            schema: ParquetSchema([
                .init("x", .double), .init("z", .double), .init("s", .string, nullable: true), .init("t", .int64),
                .init("none", .double, nullable: true), .init("nan", .double)
            ]), options: Self.uncompressed())
        try writer.append([
            .double([2, .nan, -1.5, 7]), .double([0, -0.0, 0, 0]), .optionalString(["z", nil, "é", "a"]),
            .int64([5, -9, Int64.max, 0]), .optionalDouble([nil, nil, nil, nil]), .double([.nan, .nan, .nan, .nan])
        ])
        let file = try ParquetFileReader(try writer.finish())
        let chunks = try #require(file.rowGroups.first?[1]?.list)
        func stats(_ column: Int) -> ThriftValue? { chunks[column][3]?[12] }
        func double(_ bytes: [UInt8]?) -> Double? {
            bytes.map { b in Double(bitPattern: (0..<8).reduce(0) { $0 | UInt64(b[$1]) << (8 * UInt64($1)) }) }
        }
        // NaN is left out of min/max.
        #expect(double(stats(0)?[6]?.bytes) == -1.5 && double(stats(0)?[5]?.bytes) == 7)
        // Zero bounds: min is -0, max is +0.
        #expect(double(stats(1)?[6]?.bytes)?.sign == .minus && double(stats(1)?[5]?.bytes)?.sign == .plus)
        // Strings compare as unsigned bytes: "é" (C3 A9) is after "z".
        #expect(stats(2)?[6]?.string == "a" && stats(2)?[5]?.string == "é" && stats(2)?[3]?.int == 1)
        #expect(stats(3)?[6]?.bytes == [0xF7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(stats(3)?[5]?.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        // No value, or only NaN: a null count and no bounds.
        #expect(stats(4)?[3]?.int == 4 && stats(4)?[5] == nil && stats(4)?[6] == nil)
        #expect(stats(5)?[3]?.int == 0 && stats(5)?[5] == nil && stats(5)?[6] == nil)
    }

    @Test func aDictionaryPageComesFirstUnlessItGrowsTooLarge() throws {
        var options = Self.uncompressed(rowGroupRows: 10_000, pageBytes: 1 << 20)
        options.dictionaryBytes = 64
        let schema = ParquetSchema([.init("few", .string), .init("many", .string)])
        let writer = ParquetWriter(schema: schema, options: options)
        try writer.append([.string((0..<100).map { "v\($0 % 3)" }), .string((0..<100).map { "unique-\($0)" })])
        let file = try ParquetFileReader(try writer.finish())
        let chunks = try #require(file.rowGroups.first?[1]?.list)
        let few = try #require(chunks[0][3]), many = try #require(chunks[1][3])
        #expect(few[2]?.list == [.int(0), .int(3), .int(8)])
        #expect(few[11]?.int != nil && few[11]!.int! < few[9]!.int!)
        #expect(many[2]?.list == [.int(0), .int(3)] && many[11] == nil)
        #expect(try file.column(0) == .string((0..<100).map { "v\($0 % 3)" }))
        #expect(try file.column(1) == .string((0..<100).map { "unique-\($0)" }))
    }

    @Test func zstdPagesAreZstdFramesAndTheOffsetsPointAtPageHeaders() throws {
        let writer = ParquetWriter(schema: Self.schema)
        try writer.append(Self.rows(3_000))
        let data = try writer.finish()
        let file = try ParquetFileReader(data)
        let bytes = [UInt8](data)
        for chunk in try #require(file.rowGroups.first?[1]?.list) {
            let meta = try #require(chunk[3])
            #expect(meta[4]?.int == 6)
            var reader = ThriftCompactReader(bytes, at: Int(meta[11]?.int ?? meta[9]!.int!))
            let header = try reader.readStruct()
            #expect([0, 2].contains(header[1]?.int))
            // A zstd frame starts with its magic number, 0xFD2FB528 little-endian.
            #expect(Array(bytes[reader.position..<reader.position + 4]) == [0x28, 0xB5, 0x2F, 0xFD])
        }
    }

    @Test func refusesBatchesThatDoNotFitTheSchema() throws {
        let writer = ParquetWriter(schema: ParquetSchema([.init("a", .int64), .init("b", .double)]))
        #expect(throws: ParquetError.self) { try writer.append([.int64([1])]) }
        #expect(throws: ParquetError.self) { try writer.append([.int64([1]), .double([1, 2])]) }
        #expect(throws: ParquetError.self) { try writer.append([.optionalInt64([nil]), .double([1])]) }
        #expect(throws: ParquetError.self) { try writer.append([.string(["x"]), .double([1])]) }
        _ = try writer.finish()
        #expect(throws: ParquetError.self) { try writer.finish() }
    }
}
