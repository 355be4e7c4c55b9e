import Foundation

/// A minimal reader of uncompressed flat Parquet files (data pages v1; PLAIN and RLE_DICTIONARY
/// values; RLE hybrid definition levels), written from the specification for the tests: what the
/// writer wrote must read back to the values it was given.
struct ParquetFileReader {
    struct Malformed: Error, CustomStringConvertible { var description: String }

    enum Values: Equatable {
        case int64([Int64?])
        case double([Double?])
        case boolean([Bool?])
        case string([String?])
    }

    let bytes: [UInt8]
    let footer: ThriftValue

    init(_ data: Data) throws {
        bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes.prefix(4)) == Array("PAR1".utf8),
            Array(bytes.suffix(4)) == Array("PAR1".utf8)
        else { throw Malformed(description: "no PAR1 magic at both ends") }
        let length = bytes[bytes.count - 8..<bytes.count - 4].enumerated().reduce(0) {
            $0 | Int($1.element) << (8 * $1.offset)
        }
        var reader = ThriftCompactReader(bytes, at: bytes.count - 8 - length)
        footer = try reader.readStruct()
        guard reader.position == bytes.count - 8 else { throw Malformed(description: "footer length is off") }
    }

    var schema: [ThriftValue] { Array(footer[2]?.list?.dropFirst() ?? []) }
    var rowGroups: [ThriftValue] { footer[4]?.list ?? [] }

    /// Every row of column `index`, all row groups in order.
    func column(_ index: Int) throws -> Values {
        let element = schema[index]
        let type = element[1]?.int ?? -1
        let optional = element[3]?.int == 1
        var int64s: [Int64?] = [], doubles: [Double?] = [], booleans: [Bool?] = [], strings: [String?] = []
        for group in rowGroups {
            guard let meta = group[1]?.list?[index][3] else { throw Malformed(description: "no column metadata") }
            guard meta[4]?.int == 0 else { throw Malformed(description: "compressed: the test reader reads codec 0") }
            var position = Int(meta[11]?.int ?? meta[9]!.int!)
            let end = position + Int(meta[7]!.int!)
            var dictionary: [String] = []
            while position < end {
                var reader = ThriftCompactReader(bytes, at: position)
                let header = try reader.readStruct()
                let size = Int(header[3]!.int!)
                let body = Array(bytes[reader.position..<reader.position + size])
                position = reader.position + size
                if header[1]?.int == 2 {
                    var cursor = 0
                    for _ in 0..<Int(header[7]![1]!.int!) { dictionary.append(plainString(body, &cursor)) }
                    continue
                }
                let page = header[5]!
                let rows = Int(page[1]!.int!)
                var cursor = 0
                var defined = [Bool](repeating: true, count: rows)
                if optional {
                    let length = Int(littleEndian32(body, cursor))
                    defined = RLEDecoder.decode(Array(body[cursor + 4..<cursor + 4 + length]), bitWidth: 1, count: rows)
                        .map { $0 == 1 }
                    cursor += 4 + length
                }
                let present = defined.filter { $0 }.count
                if page[2]?.int == 8 {
                    let width = Int(body[cursor])
                    let indices = RLEDecoder.decode(Array(body[(cursor + 1)...]), bitWidth: width, count: present)
                    var next = 0
                    for isDefined in defined {
                        strings.append(isDefined ? dictionary[Int(indices[next])] : nil)
                        if isDefined { next += 1 }
                    }
                    continue
                }
                var bit = 0
                for isDefined in defined {
                    guard isDefined else {
                        switch type {
                        case 0: booleans.append(nil)
                        case 2: int64s.append(nil)
                        case 5: doubles.append(nil)
                        default: strings.append(nil)
                        }
                        continue
                    }
                    switch type {
                    case 0:
                        booleans.append(body[cursor + bit / 8] >> UInt8(bit % 8) & 1 == 1)
                        bit += 1
                    case 2:
                        int64s.append(Int64(bitPattern: littleEndian64(body, cursor)))
                        cursor += 8
                    case 5:
                        doubles.append(Double(bitPattern: littleEndian64(body, cursor)))
                        cursor += 8
                    default:
                        strings.append(plainString(body, &cursor))
                    }
                }
            }
        }
        switch type {
        case 0: return .boolean(booleans)
        case 2: return .int64(int64s)
        case 5: return .double(doubles)
        default: return .string(strings)
        }
    }

    private func plainString(_ body: [UInt8], _ cursor: inout Int) -> String {
        let length = Int(littleEndian32(body, cursor))
        defer { cursor += 4 + length }
        return String(decoding: body[cursor + 4..<cursor + 4 + length], as: UTF8.self)
    }

    private func littleEndian32(_ body: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(body[at + $1]) << (8 * UInt32($1)) }
    }

    private func littleEndian64(_ body: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(body[at + $1]) << (8 * UInt64($1)) }
    }
}

/// The RLE / bit-packed hybrid, read side, from the specification.
enum RLEDecoder {
    static func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) -> [UInt32] {
        var values: [UInt32] = []
        var position = 0
        while values.count < count && position < bytes.count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = bytes[position]
                position += 1
                header |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 1 {
                let total = Int(header >> 1) * 8
                var bit = 0
                for _ in 0..<total {
                    var value: UInt32 = 0
                    for b in 0..<bitWidth {
                        let at = bit + b
                        value |= UInt32(bytes[position + at / 8] >> UInt8(at % 8) & 1) << UInt32(b)
                    }
                    bit += bitWidth
                    values.append(value)
                }
                position += Int(header >> 1) * bitWidth
            } else {
                var value: UInt32 = 0
                for index in 0..<(bitWidth + 7) / 8 { value |= UInt32(bytes[position + index]) << (8 * UInt32(index)) }
                position += (bitWidth + 7) / 8
                values.append(contentsOf: repeatElement(value, count: Int(header >> 1)))
            }
        }
        return Array(values.prefix(count))
    }
}
