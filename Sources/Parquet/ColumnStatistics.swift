/// Min, max and null count of a column chunk, in the ordering the specification gives each type:
/// signed for INT64, numeric for DOUBLE with NaN left out (and -0 / +0 written as the bounds'
/// zeros), false < true for BOOLEAN, unsigned byte-wise for strings. Bounds are PLAIN-encoded
/// (strings without their length prefix); a chunk with no comparable value has none.
enum ColumnStatistics {
    static func of(_ buffer: ColumnBuffer) -> Footer.Statistics {
        let nullCount = Int64(buffer.rows - buffer.valueCount)
        switch buffer.column.physicalType {
        case .int64, .int32:
            guard let low = buffer.int64s.min(), let high = buffer.int64s.max() else {
                return Footer.Statistics(nullCount: nullCount)
            }
            return Footer.Statistics(nullCount: nullCount, min: bytes(low), max: bytes(high))
        case .double:
            var low = Double.infinity, high = -Double.infinity, any = false
            for value in buffer.doubles where !value.isNaN {
                if value < low { low = value }
                if value > high { high = value }
                any = true
            }
            guard any else { return Footer.Statistics(nullCount: nullCount) }
            if low == 0 { low = -0.0 }
            if high == 0 { high = 0.0 }
            return Footer.Statistics(nullCount: nullCount, min: bytes(low.bitPattern), max: bytes(high.bitPattern))
        case .boolean:
            guard !buffer.booleans.isEmpty else { return Footer.Statistics(nullCount: nullCount) }
            let low: UInt8 = buffer.booleans.contains(false) ? 0 : 1
            let high: UInt8 = buffer.booleans.contains(true) ? 1 : 0
            return Footer.Statistics(nullCount: nullCount, min: [low], max: [high])
        case .byteArray:
            return strings(buffer.strings, nullCount: nullCount)
        }
    }

    static func strings(_ values: some Sequence<String>, nullCount: Int64) -> Footer.Statistics {
        var low: String?, high: String?
        for value in values {
            if let current = low {
                if value != current && value.utf8.lexicographicallyPrecedes(current.utf8) { low = value }
            } else {
                low = value
            }
            if let current = high {
                if value != current && current.utf8.lexicographicallyPrecedes(value.utf8) { high = value }
            } else {
                high = value
            }
        }
        return Footer.Statistics(
            nullCount: nullCount, min: low.map { Array($0.utf8) }, max: high.map { Array($0.utf8) })
    }

    private static func bytes(_ value: Int64) -> [UInt8] { bytes(UInt64(bitPattern: value)) }

    private static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

extension Footer.Statistics {
    init(nullCount: Int64) { self.init(nullCount: nullCount, min: nil, max: nil) }
}
