import Foundation
import MarketData

/// JSON as the research and training files write it: snake_case keys, sorted, pretty; a non-finite
/// number (rare: most optional statistics are nil instead) is written as the string "inf" or "nan".
public enum ResearchJSON {
    public static func encoder() -> JSONEncoder { SnakeCaseJSON.encoder() }

    public static func decoder() -> JSONDecoder { SnakeCaseJSON.decoder() }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try SnakeCaseJSON.encoder(pretty: false).encode(value), as: UTF8.self)
    }
}

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

    public var hex: String { String(value, radix: 16).leftPadding(to: 16) }
}

extension String {
    func leftPadding(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
