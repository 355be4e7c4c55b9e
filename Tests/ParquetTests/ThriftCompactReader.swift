import Foundation

/// A minimal reader of the Thrift compact protocol, for the tests to decode what the writer wrote
/// (footer and page headers) into field-id trees; independent of the writer's code.
indirect enum ThriftValue: Equatable {
    case int(Int64)
    case bool(Bool)
    case binary([UInt8])
    case double(Double)
    case list([ThriftValue])
    case object([Int16: ThriftValue])

    subscript(_ id: Int16) -> ThriftValue? {
        if case .object(let fields) = self { return fields[id] }
        return nil
    }

    var int: Int64? { if case .int(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var bytes: [UInt8]? { if case .binary(let value) = self { value } else { nil } }
    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    var list: [ThriftValue]? { if case .list(let value) = self { value } else { nil } }
}

struct ThriftCompactReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func readStruct() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .object(fields) }
            let type = header & 0x0F
            let delta = header >> 4
            let id = delta == 0 ? Int16(try zigzag()) : last + Int16(delta)
            last = id
            fields[id] = try value(type, inField: true)
        }
    }

    private mutating func value(_ type: UInt8, inField: Bool) throws -> ThriftValue {
        switch type {
        case 1: return .bool(inField ? true : try byte() == 1)
        case 2: return .bool(inField ? false : try byte() == 1)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            var bits: UInt64 = 0
            for shift in 0..<8 { bits |= UInt64(try byte()) << (8 * UInt64(shift)) }
            return .double(Double(bitPattern: bits))
        case 8:
            let count = Int(try varint())
            guard position + count <= bytes.count else { throw Malformed() }
            defer { position += count }
            return .binary(Array(bytes[position..<position + count]))
        case 9, 10:
            let header = try byte()
            let count = header >> 4 == 15 ? Int(try varint()) : Int(header >> 4)
            return .list(try (0..<count).map { _ in try value(header & 0x0F, inField: false) })
        case 12: return try readStruct()
        default: throw Malformed()
        }
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Malformed() }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func zigzag() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}
