/// The Thrift compact protocol, write side only: what a Parquet footer and page headers need
/// (structs, i32/i64 as zigzag varints, binary, bool, lists). Field ids and types come from
/// parquet-format's `parquet.thrift`; the byte layout from Thrift's compact protocol specification.
struct ThriftCompactWriter {
    /// The compact protocol's type nibbles.
    enum FieldType: UInt8 {
        case boolTrue = 1
        case boolFalse = 2
        case byte = 3
        case i16 = 4
        case i32 = 5
        case i64 = 6
        case double = 7
        case binary = 8
        case list = 9
        case set = 10
        case map = 11
        case `struct` = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id written in each open struct: headers carry the delta when it fits a nibble.
    private var lastFieldIDs: [Int16] = [0]

    init() { bytes.reserveCapacity(256) }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastFieldIDs[lastFieldIDs.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func bool(_ id: Int16, _ value: Bool) {
        // A bool field's value is its type nibble: no payload byte.
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// Opens a struct-typed field; `endStruct` closes it.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .struct)
        lastFieldIDs.append(0)
    }

    /// Opens a struct that is a list element (no field header).
    mutating func beginElement() { lastFieldIDs.append(0) }

    mutating func endStruct() {
        bytes.append(0) // STOP
        lastFieldIDs.removeLast()
    }

    mutating func listHeader(_ id: Int16, _ elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    /// An i32 list element (no field header).
    mutating func i32Element(_ value: Int32) { varint(zigzag(Int64(value))) }

    mutating func binaryElement(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Ends the outermost struct of a message (a footer or a page header).
    mutating func endMessage() { bytes.append(0) }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
}
