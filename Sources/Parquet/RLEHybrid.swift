/// The RLE / bit-packed hybrid of the Parquet specification (Encodings.md), used for definition
/// levels and dictionary indices: runs of 8 or more equal values become an RLE run (header
/// `count << 1`, the value in ⌈bitWidth / 8⌉ little-endian bytes), everything else bit-packed runs
/// of groups of 8 values, least significant bit first (header `groups << 1 | 1`). The caller writes
/// any length prefix or bit-width byte.
enum RLEHybrid {
    /// At most 63 groups per bit-packed run, so its header is one byte (as parquet-mr writes).
    static let maxGroupsPerRun = 63

    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
        precondition((0...32).contains(bitWidth))
        var pending: [UInt32] = []
        pending.reserveCapacity(maxGroupsPerRun * 8)
        var index = 0
        let count = values.count
        while index < count {
            let value = values[index]
            var end = index + 1
            while end < count && values[end] == value { end += 1 }
            var run = end - index
            let pad = (8 - pending.count % 8) % 8
            if run - pad >= 8 {
                // Complete the open bit-packed group from the run, then the rest is one RLE run.
                for _ in 0..<pad { pending.append(value) }
                run -= pad
                flushGroups(&pending, bitWidth: bitWidth, into: &out)
                writeRLE(count: run, value: value, bitWidth: bitWidth, into: &out)
            } else {
                for _ in 0..<run { pending.append(value) }
                if pending.count >= maxGroupsPerRun * 8 { flushGroups(&pending, bitWidth: bitWidth, into: &out) }
            }
            index = end
        }
        if !pending.isEmpty {
            // The last group may be padded: readers stop at the page's value count.
            while pending.count % 8 != 0 { pending.append(0) }
            flushGroups(&pending, bitWidth: bitWidth, into: &out)
        }
    }

    static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
        return out
    }

    /// The bits needed for `maxValue` (0 for 0).
    static func bitWidth(_ maxValue: UInt32) -> Int { 32 - maxValue.leadingZeroBitCount }

    /// Writes the whole groups of `pending` as bit-packed runs and keeps the remainder (< 8 values).
    private static func flushGroups(_ pending: inout [UInt32], bitWidth: Int, into out: inout [UInt8]) {
        var groups = pending.count / 8
        var start = 0
        while groups > 0 {
            let runGroups = min(groups, maxGroupsPerRun)
            writeVarint(UInt64(runGroups) << 1 | 1, into: &out)
            var accumulator: UInt64 = 0
            var bits = 0
            for value in pending[start..<start + runGroups * 8] {
                accumulator |= UInt64(value) << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator >>= 8
                    bits -= 8
                }
            }
            start += runGroups * 8
            groups -= runGroups
        }
        pending.removeFirst(start)
    }

    private static func writeRLE(count: Int, value: UInt32, bitWidth: Int, into out: inout [UInt8]) {
        writeVarint(UInt64(count) << 1, into: &out)
        var value = value
        for _ in 0..<(bitWidth + 7) / 8 {
            out.append(UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
    }

    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }
}
