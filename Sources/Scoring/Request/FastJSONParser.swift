import Foundation

/// A small, fast JSON parser for /invocations bodies: Foundation's JSONSerialization on Linux spends
/// tens of microseconds per row of a large `dataframe_split`, far more than scoring it. Like
/// Python's json (and so MLflow) it accepts the literals NaN, Infinity and -Infinity.
public struct FastJSONParser {
    let bytes: [UInt8]
    var index = 0
    /// The tables `float` reads, held here: a static is checked for initialisation at every use.
    let powersOfTen = FastJSONParser.exactPowersOfTen
    let reciprocalPowersOfTen = FastJSONParser.reciprocals
    private var depth = 0
    static let maxDepth = 512

    public struct SyntaxError: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public static func parse(_ body: [UInt8]) throws -> JSONValue { try parse(BodyBytes(body)) }

    /// Reads the body in place (it already ends in the terminator).
    public static func parse(_ body: BodyBytes) throws -> JSONValue {
        var parser = FastJSONParser(bytes: body.terminated)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == body.count else { throw parser.error("trailing characters") }
        return value
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }

    var current: UInt8 { bytes[index] }

    mutating func skipWhitespace() {
        while index < bytes.count - 1 {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `text` if the input continues with it. Compares in place: this runs for every
    /// number that starts with '-' (is it -Infinity?), so it must not allocate.
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count < bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    mutating func value() throws -> JSONValue {
        switch current {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): if literal("true") { return .bool(true) }
        case UInt8(ascii: "f"): if literal("false") { return .bool(false) }
        case UInt8(ascii: "n"): if literal("null") { return .null }
        case UInt8(ascii: "N"): if literal("NaN") { return .number(.nan) }
        case UInt8(ascii: "I"): if literal("Infinity") { return .number(.infinity) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if current == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "I"), literal("-Infinity") {
                return .number(-.infinity)
            }
            return .number(try number())
        default: break
        }
        throw error("unexpected character")
    }

    mutating func nested<T>(_ body: (inout FastJSONParser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("nesting too deep") }
        return try body(&self)
    }

    private mutating func object() throws -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        try objectMembers { parser, key in pairs.append((key, try parser.value())) }
        return .object(pairs)
    }

    private mutating func array() throws -> JSONValue {
        var items: [JSONValue] = []
        try arrayItems { parser in items.append(try parser.value()) }
        return .array(items)
    }

    /// `{ "key": value, … }`, each value read by `member` (the general parser keeps them; the
    /// Open Inference Protocol's reader reads each key's value its own way).
    mutating func objectMembers(_ member: (inout FastJSONParser, String) throws -> Void) throws {
        try nested { parser in
            guard parser.current == UInt8(ascii: "{") else { throw parser.error("expected '{'") }
            parser.index += 1
            parser.skipWhitespace()
            if parser.current == UInt8(ascii: "}") {
                parser.index += 1
                return
            }
            while true {
                parser.skipWhitespace()
                guard parser.current == UInt8(ascii: "\"") else { throw parser.error("expected a key") }
                let key = try parser.string()
                parser.skipWhitespace()
                guard parser.current == UInt8(ascii: ":") else { throw parser.error("expected ':'") }
                parser.index += 1
                parser.skipWhitespace()
                try member(&parser, key)
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: ",") {
                    parser.index += 1
                    continue
                }
                guard parser.current == UInt8(ascii: "}") else { throw parser.error("expected ',' or '}'") }
                parser.index += 1
                return
            }
        }
    }

    /// `[ item, … ]`, each item read by `item`.
    mutating func arrayItems(_ item: (inout FastJSONParser) throws -> Void) throws {
        try nested { parser in
            guard parser.current == UInt8(ascii: "[") else { throw parser.error("expected '['") }
            parser.index += 1
            parser.skipWhitespace()
            if parser.current == UInt8(ascii: "]") {
                parser.index += 1
                return
            }
            while true {
                parser.skipWhitespace()
                try item(&parser)
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: ",") {
                    parser.index += 1
                    continue
                }
                guard parser.current == UInt8(ascii: "]") else { throw parser.error("expected ',' or ']'") }
                parser.index += 1
                return
            }
        }
    }

    /// strtod reads the number (correctly rounded); the grammar is checked first so that strtod's
    /// extensions (hex, leading '+', "inf") are not accepted.
    private mutating func number() throws -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(current) else { throw error("invalid number") }
        if current == UInt8(ascii: "0") { index += 1 } else { while (48...57).contains(current) { index += 1 } }
        if current == UInt8(ascii: ".") {
            index += 1
            guard (48...57).contains(current) else { throw error("invalid number") }
            while (48...57).contains(current) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard (48...57).contains(current) else { throw error("invalid number") }
            while (48...57).contains(current) { index += 1 }
        }
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                // The number ends at a non-number byte (the array ends in a 0 terminator), which stops strtod.
                strtod(chars + start, nil)
            }
        }
    }

    mutating func string() throws -> String {
        // Most strings have no escapes: made from their bytes in place, without a scratch copy.
        let quote = index
        if let plain = rawString(), let text = String(validating: bytes[plain], as: UTF8.self) { return text }
        index = quote + 1
        var chunkStart = index
        var chunk: [UInt8] = []
        func flushChunk(_ end: Int) {
            if end > chunkStart { chunk.append(contentsOf: bytes[chunkStart..<end]) }
        }
        while true {
            guard index < bytes.count - 1 else { throw error("unterminated string") }
            let byte = current
            if byte == UInt8(ascii: "\"") {
                flushChunk(index)
                index += 1
                guard let text = String(validating: chunk, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string")
                }
                return text
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                flushChunk(index)
                index += 1
                let escape = current
                index += 1
                if let replacement = Self.simpleEscape(escape) {
                    chunk.append(replacement)
                } else if escape == UInt8(ascii: "u") {
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code), current == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let next = index
                        index += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // A high surrogate without its low half: U+FFFD, and the next escape
                            // is read on its own.
                            index = next
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    chunk.append(contentsOf: Array(String(Character(scalar)).utf8))
                } else {
                    throw error("invalid escape")
                }
                chunkStart = index
                continue
            }
            index += 1
        }
    }

    static func simpleEscape(_ escape: UInt8) -> UInt8? {
        switch escape {
        case 0x22, 0x5C, 0x2F: escape
        case 0x62: 0x08
        case 0x66: 0x0C
        case 0x6E: 0x0A
        case 0x72: 0x0D
        case 0x74: 0x09
        default: nil
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count - 1, let digit = Character(Unicode.Scalar(current)).hexDigitValue else {
                throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

extension FastJSONParser {
    /// The fast path for the request every client sends: `{"dataframe_split": {"columns": [...],
    /// "data": [[...], ...]}}` (and optionally `"index"`), with `columns` before `data`, every row
    /// as long as `columns`, a string `pair` and numbers, nulls or booleans in the other columns.
    /// It parses straight into the feature matrix, with no value tree. Any other body (a different
    /// shape, `params`, a syntax error, a string where a number belongs) answers nil, and the
    /// general decoder takes it, so its answers and error messages stay the only ones.
    static func plainDataframeSplit(_ body: BodyBytes, reading: RowReading) -> SplitRows? {
        var parser = FastJSONParser(bytes: body.terminated)
        guard let rows = try? parser.plainSplit(reading), parser.index == body.count else { return nil }
        return rows
    }

    /// The bytes of a string without escapes or control characters, the opening quote current;
    /// nil for any other string (the general decoder reads those).
    mutating func rawString() -> Range<Int>? {
        index += 1
        let start = index
        while index < bytes.count - 1 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<index - 1
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// The slots of a `columns` array whose names are all the model's, each once, spelled plainly
    /// (read without making Strings); nil for anything else, which the caller reads the slow way.
    private mutating func knownColumnSlots(_ reading: RowReading) -> [Int]? {
        let featureCount = reading.featureColumns.count
        guard (try? expect(UInt8(ascii: "["))) != nil else { return nil }
        var slots: [Int] = []
        var seen = [Bool](repeating: false, count: featureCount + 1)
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let name = rawString(),
                let column = reading.columns.index(of: name, in: bytes),
                !seen[column]
            else { return nil }
            seen[column] = true
            slots.append(column == featureCount ? -1 : column)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard current == UInt8(ascii: "]") else { return nil }
            index += 1
            return seen.allSatisfy { $0 } ? slots : nil
        }
    }

    mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard current == byte else { throw error("unexpected character") }
        index += 1
    }

    mutating func key() throws -> String {
        skipWhitespace()
        guard current == UInt8(ascii: "\"") else { throw error("expected a key") }
        let key = try string()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return key
    }

    /// Column slots: the feature's position, −1 for `pair`, −2 for a column the model ignores.
    private mutating func plainSplit(_ reading: RowReading) throws -> SplitRows? {
        let featureColumns = reading.featureColumns
        try expect(UInt8(ascii: "{"))
        guard try key() == "dataframe_split" else { return nil }
        try expect(UInt8(ascii: "{"))
        var slots: [Int]?
        var rows: SplitRows?
        while true {
            switch try key() {
            case "columns":
                guard slots == nil else { return nil }
                let start = index
                if let known = knownColumnSlots(reading) {
                    slots = known
                    break
                }
                index = start
                guard case let .array(names) = try value() else { return nil }
                let texts = names.compactMap { name -> String? in if case let .string(text) = name { text } else { nil }
                }
                guard texts.count == names.count, Set(texts).count == texts.count, texts.contains("pair"),
                    featureColumns.allSatisfy(texts.contains)
                else { return nil }
                slots = texts.map { $0 == "pair" ? -1 : featureColumns.firstIndex(of: $0) ?? -2 }
            case "data":
                guard let slots, rows == nil else { return nil }
                rows = try dataRows(slots: slots, width: featureColumns.count, pairs: reading.pairs)
            case "index":
                _ = try value()
            default:
                return nil
            }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            break
        }
        try expect(UInt8(ascii: "}"))
        try expect(UInt8(ascii: "}"))
        skipWhitespace()
        return rows
    }

    private mutating func dataRows(slots: [Int], width: Int, pairs: NameTable) throws -> SplitRows? {
        var rows = SplitRows()
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return rows
        }
        while true {
            try expect(UInt8(ascii: "["))
            let base = rows.values.count
            rows.values.append(contentsOf: repeatElement(0, count: width))
            var member: Int?
            for (position, slot) in slots.enumerated() {
                if position > 0 { try expect(UInt8(ascii: ",")) }
                skipWhitespace()
                let number: Double
                switch current {
                case UInt8(ascii: "\""):
                    guard slot != -2 else {
                        _ = try string()
                        continue
                    }
                    // A pair this router does not serve, or one spelled with escapes, is the general decoder's.
                    guard slot == -1, let name = rawString(), let known = pairs.index(of: name, in: bytes) else {
                        return nil
                    }
                    member = known
                    continue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if current == UInt8(ascii: "-") && bytes[index + 1] == UInt8(ascii: "I") && literal("-Infinity") {
                        number = -.infinity
                    } else {
                        guard slot != -1 else { return nil }
                        let value = try float()
                        if slot >= 0 { rows.values[base + slot] = value }
                        continue
                    }
                case UInt8(ascii: "n"):
                    guard literal("null") else { return nil }
                    number = .nan
                case UInt8(ascii: "t"):
                    guard literal("true") else { return nil }
                    number = 1
                case UInt8(ascii: "f"):
                    guard literal("false") else { return nil }
                    number = 0
                case UInt8(ascii: "N"):
                    guard literal("NaN") else { return nil }
                    number = .nan
                case UInt8(ascii: "I"):
                    guard literal("Infinity") else { return nil }
                    number = .infinity
                default: return nil
                }
                guard slot != -1 else { return nil }
                if slot >= 0 { rows.values[base + slot] = Float(number) }
            }
            try expect(UInt8(ascii: "]"))
            guard let member else { return nil }
            rows.members.append(Int32(member))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return rows
        }
    }
}

extension FastJSONParser {
    static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }
    /// 10^-k rounded once (1/10^k, both exact operands): within half an ulp.
    static let reciprocals: [Double] = exactPowersOfTen.map { 1 / $0 }

    /// A JSON number as the Float that `Float(strtod(text))` gives, without strtod in the common
    /// case. Digits (up to 19 significant) and the decimal exponent are read exactly; then
    /// - with |e| ≤ 22, an approximation d within a few Double ulps of the true value is bracketed
    ///   by d·(1 ± 2^-48), which holds both the true value and strtod's Double. Rounding to Float is
    ///   monotonic, so when both ends round to the same Float, so does strtod's Double;
    /// - when they do not (about one number in 2^24), w ≤ 2^53 and |e| ≤ 22 make w·10^e one
    ///   correctly rounded operation on exact values (Clinger), the very Double strtod returns.
    /// Anything else (more digits, larger exponents, an ambiguous bracket past 2^53) asks strtod.
    mutating func float() throws -> Float {
        let start = index
        var number = ScannedNumber()
        // The digits are scanned through a raw pointer, without a bounds test per byte: the body's
        // terminating 0 ends every scan, and the 8-byte loads stay short of it.
        let valid = bytes.withUnsafeBufferPointer { Self.scan($0, from: start, into: &number) }
        index = number.end
        guard valid else { throw error("invalid number") }
        if number.exact {
            let mantissa = number.mantissa, exponent = number.exponent
            if mantissa == 0 { return number.negative ? -0.0 : 0.0 }
            if abs(exponent) <= 22 {
                // The bracket first, with a multiplication by the rounded reciprocal (a division
                // costs more than the rest of the number): d is within 2 ulps of w·10^e.
                let approximate =
                    Double(mantissa) * (exponent >= 0 ? powersOfTen[exponent] : reciprocalPowersOfTen[-exponent])
                let margin = approximate * 0x1p-48
                let low = Float(approximate - margin), high = Float(approximate + margin)
                if low == high { return number.negative ? -low : low }
                if mantissa <= 1 << 53 {
                    let power = powersOfTen[abs(exponent)]
                    let scaled = exponent >= 0 ? Double(mantissa) * power : Double(mantissa) / power
                    return Float(number.negative ? -scaled : scaled)
                }
            }
        }
        let end = index
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                precondition(end > start)
                return Float(strtod(chars + start, nil))
            }
        }
    }

    /// What `scan` read of a number: up to 19 significant digits and the decimal exponent, exact
    /// unless digits or exponent went past what `float` handles itself.
    struct ScannedNumber {
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        var negative = false
        var end = 0
    }

    /// JSON's number grammar from `start`; false at the first byte that breaks it (`end` there).
    /// Written as plain loops on locals: nested functions capturing the index would be boxed on the
    /// heap, a retain and release per number.
    @inline(__always)
    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, into number: inout ScannedNumber) -> Bool {
        let bytes = buffer.baseAddress!, count = buffer.count
        var index = start
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        defer {
            number.end = index
            number.mantissa = mantissa
            number.exponent = exponent
            number.exact = exact
        }
        number.negative = bytes[index] == UInt8(ascii: "-")
        if number.negative { index += 1 }
        guard bytes[index] &- 48 <= 9 else { return false }
        // Digits eight at a time (SWAR: one 8-byte load, a check that all eight are digits, three
        // multiplications) while they fit the 19 significant digits kept, then one at a time.
        // JSON allows a leading 0 only alone, so the integer part's digits are all significant.
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while significant <= 11, index + 8 < count {
                let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
                guard let digits = eightDigits(word) else { break }
                mantissa = mantissa &* 100_000_000 &+ digits
                significant += 8
                index += 8
            }
            while case let digit = bytes[index] &- 48, digit <= 9 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significant += 1
                } else {
                    exact = false
                }
                index += 1
            }
        }
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard bytes[index] &- 48 <= 9 else { return false }
            if mantissa == 0 {
                while bytes[index] == UInt8(ascii: "0") {
                    exponent -= 1
                    index += 1
                }
            }
            while significant <= 11, index + 8 < count {
                let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
                guard let digits = eightDigits(word) else { break }
                mantissa = mantissa &* 100_000_000 &+ digits
                significant += 8
                exponent -= 8
                index += 8
            }
            while case let digit = bytes[index] &- 48, digit <= 9 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significant += 1
                    exponent -= 1
                } else {
                    exact = false
                }
                index += 1
            }
        }
        if bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var sign = 1
            if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
            }
            guard bytes[index] &- 48 <= 9 else { return false }
            var value = 0
            while case let digit = bytes[index] &- 48, digit <= 9 {
                // A longer exponent is past any Float anyway; strtod reads it exactly.
                if value < 100_000 { value = value * 10 + Int(digit) } else { exact = false }
                index += 1
            }
            exponent += sign * value
        }
        return true
    }

    /// The value of eight ASCII digits in a little-endian word (the first digit in the lowest
    /// byte), or nil when one of the bytes is not a digit.
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64? {
        // Every byte in 0x30…0x39: high nibble 3, and adding 6 does not carry into it.
        guard
            (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
                == 0x3333_3333_3333_3333
        else { return nil }
        var digits = word &- 0x3030_3030_3030_3030
        // Pairs, then quads, then all eight.
        digits = (digits &* 10) &+ (digits >> 8)
        return
            (((digits & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
            &+ (((digits >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
    }
}
