@testable import Parquet
import Testing

struct ThriftCompactWriterTests {
    @Test func fieldHeadersCarryTheDeltaOrTheWholeId() {
        var writer = ThriftCompactWriter()
        writer.i32(1, 2) // delta 1, type 5; zigzag(2) = 4
        writer.i64(20, -1) // delta 19 > 15: type byte, then zigzag(20) = 40, zigzag(-1) = 1
        writer.bool(21, true) // delta 1, type 1 (true), no payload
        writer.string(22, "ab")
        writer.endMessage()
        #expect(writer.bytes == [0x15, 0x04, 0x06, 0x28, 0x01, 0x11, 0x18, 0x02, 0x61, 0x62, 0x00])
    }

    @Test func nestedStructsRestartTheirFieldIdsAndListsCountTheirElements() {
        var writer = ThriftCompactWriter()
        writer.beginStruct(3)
        writer.i32(1, -3)
        writer.endStruct()
        writer.listHeader(4, .i32, count: 2)
        writer.i32Element(1)
        writer.i32Element(300)
        writer.listHeader(5, .i32, count: 20)
        writer.endMessage()
        #expect(
            writer.bytes == [0x3C, 0x15, 0x05, 0x00, 0x19, 0x25, 0x02, 0xD8, 0x04, 0x19, 0xF5, 0x14, 0x00])
    }

    @Test func readsBackThroughAnIndependentReader() throws {
        var writer = ThriftCompactWriter()
        writer.i64(2, Int64.min)
        writer.beginStruct(17)
        writer.bool(1, false)
        writer.endStruct()
        writer.endMessage()
        var reader = ThriftCompactReader(writer.bytes)
        let value = try reader.readStruct()
        #expect(value[2]?.int == Int64.min)
        #expect(value[17]?[1]?.bool == false)
    }
}
