import Foundation

/// Number parsing on bytes for the candle parsers. Doubles are exact: a decimal of at most 19
/// digits whose digits fit in 53 bits and with at most 22 after the point is one correctly rounded
/// division of two exactly represented doubles (Clinger's fast path); anything else goes to
/// `strtod`, which rounds correctly too. So a value printed by Swift's shortest round-trip
/// `description` reads back bit-identical.
enum CandleNumbers {
    /// 10^0 … 10^22, every one exactly representable.
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The field `[start, end)` (already trimmed) as a finite or non-finite double, or nil when it
    /// is not a number as a whole. `base` must be NUL-terminated somewhere at or after `end`.
    @inline(__always)
    static func double(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, powers: UnsafePointer<Double>
    ) -> Double? {
        guard start < end else { return nil }
        var index = start
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var fraction = 0
        var digits = 0
        while index < end, base[index] &- 48 < 10 {
            let digit = UInt64(base[index] &- 48)
            if mantissa != 0 || digit != 0 { significant += 1 }
            mantissa = mantissa &* 10 &+ digit
            digits += 1
            index += 1
        }
        if index < end, base[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, base[index] &- 48 < 10 {
                let digit = UInt64(base[index] &- 48)
                if mantissa != 0 || digit != 0 { significant += 1 }
                mantissa = mantissa &* 10 &+ digit
                fraction += 1
                digits += 1
                index += 1
            }
        }
        if index == end, digits > 0, significant <= 19, mantissa <= 1 << 53, fraction <= 22 {
            let value = Double(mantissa) / powers[fraction]
            return negative ? -value : value
        }
        return slowDouble(base, start, end)
    }

    /// Exponents, long mantissas and spellings such as `inf`: `strtod` (the C locale's, which is a
    /// Swift program's unless it calls `setlocale`), accepted only when it reads the whole field.
    static func slowDouble(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let first = base[start]
        // strtod skips leading white space, which could carry it into the next line.
        guard first != 32, first != 9, first != 10, first != 13 else { return nil }
        let text = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
        var stop: UnsafeMutablePointer<CChar>?
        let value = strtod(text, &stop)
        guard let stop, text.distance(to: UnsafePointer(stop)) == end - start else { return nil }
        return value
    }

    /// A plain non-negative decimal integer of at most 18 digits, or nil.
    @inline(__always)
    static func integer(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard start < end, end - start <= 18 else { return nil }
        var value: Int64 = 0
        var index = start
        while index < end {
            let digit = base[index] &- 48
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        return value
    }

    /// Open and close times above this are microseconds (the exchange's files from 2025 on): in
    /// milliseconds it would be the year 5138, in microseconds it is 1973, before any market data.
    static let microsecondThreshold: Int64 = 100_000_000_000_000

    static func text(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, end - start)), as: UTF8.self)
    }

    /// The sound-bar test of `Bar.defect` without its allocations; `defect` words the refusal.
    @inline(__always)
    static func isSound(open: Double, high: Double, low: Double, close: Double, volume: Double) -> Bool {
        low > 0 && open > 0 && close > 0 && high >= open && high >= close && low <= open && low <= close
            && high.isFinite && volume >= 0 && volume.isFinite
    }
}
