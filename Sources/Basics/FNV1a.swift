/// 64-bit FNV-1a: a stable fingerprint of inputs (not a security hash).
public struct FNV1a {
    public init() {}
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public mutating func add<T: FixedWidthInteger>(_ number: T) {
        withUnsafeBytes(of: number.littleEndian) { bytes in for byte in bytes { mix(byte) } }
    }

    public mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0)
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01B3
    }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
