@testable import Parquet
import Testing

struct RLEHybridTests {
    /// The specification's bit-packing example: 0…7 at width 3 are the bytes 10001000 11000110 11111010.
    @Test func bitPacksTheSpecificationsExample() {
        #expect(RLEHybrid.encode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func aLongRunIsOneRLERun() {
        // Header varint(100 << 1) = C8 01, then the value in one byte.
        #expect(RLEHybrid.encode([UInt32](repeating: 5, count: 100), bitWidth: 3) == [0xC8, 0x01, 0x05])
        // Width 9 takes two value bytes, little-endian.
        #expect(RLEHybrid.encode([UInt32](repeating: 300, count: 8), bitWidth: 9) == [0x10, 0x2C, 0x01])
    }

    /// A run that starts inside a bit-packed group completes the group first, then runs.
    @Test func aRunCompletesTheOpenGroupThenRuns() {
        let values: [UInt32] = [1, 2] + [UInt32](repeating: 7, count: 20)
        // Group 1,2,7,7,7,7,7,7 at width 3: bits 100 010 111 111… → D1 FF FF; then 14 × 7: 1C 07.
        #expect(RLEHybrid.encode(values, bitWidth: 3) == [0x03, 0xD1, 0xFF, 0xFF, 0x1C, 0x07])
    }

    @Test func theLastGroupIsPaddedWithZeros() {
        #expect(RLEHybrid.encode([1, 0, 1], bitWidth: 1) == [0x03, 0x05])
    }

    @Test(arguments: [1, 2, 5, 8, 13, 20, 32])
    func readsBackWhatItWrote(bitWidth: Int) {
        var generator = SplitMix(seed: UInt64(bitWidth))
        let limit = bitWidth == 32 ? UInt64(UInt32.max) : (1 << UInt64(bitWidth)) - 1
        var values: [UInt32] = []
        while values.count < 5_000 {
            let value = UInt32(generator.next() % (limit + 1))
            // Runs of every length, so both kinds of run and their boundaries occur.
            values += [UInt32](repeating: value, count: Int(generator.next() % 20) + 1)
        }
        let encoded = RLEHybrid.encode(values, bitWidth: bitWidth)
        #expect(RLEDecoder.decode(encoded, bitWidth: bitWidth, count: values.count) == values)
    }
}

/// A small deterministic generator (the test target depends on Parquet only).
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
