import Foundation
import Testing
import TestSupport
@testable import Scoring

struct FastJSONTests {
    @Test func parsesWhatFoundationParsesToTheSameValues() throws {
        let text =
            #"{"a": [1, -2.5e-3, 0, 1E2, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é", "o": {"k": {}}, "e": []}"#
        let parsed = try FastJSONParser.parse(Array(text.utf8))
        #expect(
            parsed["a"]
                == .array([.number(1), .number(-0.0025), .number(0), .number(100), .bool(true), .bool(false), .null]))
        #expect(parsed["s"] == .string("q\"\\/\u{8}\u{c}\n\r\té😀 é"))
        #expect(parsed["o"] == .object([("k", .object([]))]))
        #expect(parsed["e"] == .array([]))
        // Shortest round-trip doubles come back exactly.
        for value in [0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, -2.2250738585072014e-308] {
            #expect(try FastJSONParser.parse(Array("\(value)".utf8)) == .number(value))
        }
    }

    @Test func acceptsPythonsNonFiniteLiteralsAsMLflowDoes() throws {
        #expect(
            try FastJSONParser.parse(Array("[NaN, Infinity, -Infinity]".utf8))
                == .array([.number(.nan), .number(.infinity), .number(-.infinity)]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "+1", "0x10", "\"abc", "\"a\u{1}b\"", "[1] 2", "tru", "{\"a\":1,}",
        "\"\\x\""
    ])
    func rejectsMalformedInput(text: String) {
        #expect(throws: FastJSONParser.SyntaxError.self) { try FastJSONParser.parse(Array(text.utf8)) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: FastJSONParser.SyntaxError.self) { try FastJSONParser.parse(Array(deep.utf8)) }
    }
}

/// The fast path's number reader must give exactly `Float(strtod(text))`, the general path's value.
struct FastFloatTests {
    static func texts() -> [String] {
        var generator = SeededRandom(seed: 12345)
        var texts = [
            "0", "-0", "0.0", "-0.0", "1", "-1", "9007199254740993", "9007199254740992.5", "123456789012345678901234",
            "1e22", "1e23", "1e-22", "1e-23", "3.4028235e38", "3.4028236e38", "1e39", "-1e39", "1.17549435e-38",
            "1e-45", "1e-46",
            "0.000000000000000000000000000001", "4.9406564584124654e-324", "1.7976931348623157e308", "2.5e-8",
            "16777217",
            "16777216.000000001", "0.1", "0.30000000000000004", "123.456e-5", "1E+2", "7e0",
            // Float midpoints written out long, more than 19 digits, exponents past the reader's cap.
            "1.00000005960464478", "1.000000059604644775390625", "1.0000000596046447753906250000001",
            "-16777217.0000000000001",
            "12345678901234567890123e-10",
            "0.00000000000000000000000000000000000000000000000000012345678901234567890e60",
            "0." + String(repeating: "0", count: 99_999) + "1e100005", "1e-100005",
            "9" + String(repeating: "9", count: 30) + "e-30"
        ]
        for _ in 0..<20_000 {
            let magnitude = pow(10, Double(Int(generator.next() % 24)) - 12)
            let value = (Double(generator.next() % 2_000_001) / 1_000_000 - 1) * magnitude
            switch generator.next() % 5 {
            case 0: texts.append("\(value)")
            case 1: texts.append(String(format: "%.17g", value))
            case 2: texts.append(String(format: "%.6e", value))
            case 3: texts.append(String(format: "%.20f", value))
            default: texts.append("\(Float(value))")
            }
        }
        // Doubles at and next to the midpoint of two Floats: where the reader's bracket is
        // ambiguous and it must fall back to an exact path.
        for _ in 0..<5_000 {
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()) & 0x7EFF_FFFF | 0x0080_0000)
            let midpoint = (Double(float) + Double(float.nextUp)) / 2
            for value in [midpoint, midpoint.nextUp, midpoint.nextDown] { texts.append(String(format: "%.17g", value)) }
        }
        return texts
    }

    @Test func numbersReadExactlyAsStrtodThenFloat() throws {
        let texts = Self.texts()
        let rows = texts.map { #"["P1__X",\#($0),0]"# }.joined(separator: ",")
        let body = Array(#"{"dataframe_split":{"columns":["pair","z","z_velocity"],"data":[\#(rows)]}}"#.utf8)
        let parsed = try #require(
            FastJSONParser.plainDataframeSplit(
                BodyBytes(body), reading: RowReading(featureColumns: ["z", "z_velocity"], pairs: ["P1__X"])))
        var mismatches: [String] = []
        for (row, text) in texts.enumerated() {
            let expected = Float(strtod(text, nil))
            let got = parsed.values[row * 2]
            if expected.bitPattern != got.bitPattern { mismatches.append("\(text): \(got) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}

struct StringEscapeTests {
    /// A high surrogate followed by an escape that is not a low surrogate used to overflow and stop
    /// the process: one request could crash the server. Now it is U+FFFD, and the next escape stands.
    @Test func aLoneHighSurrogateIsReplacedNotACrash() throws {
        for body in [#"["\ud800\u0041"]"#, #"["\udbff\ud7ff"]"#, #"["\ud800"]"#] {
            guard case let .array(items) = try FastJSONParser.parse(Array(body.utf8)),
                case let .string(text)? = items.first
            else {
                Issue.record("\(body) did not parse to a string")
                continue
            }
            #expect(text.unicodeScalars.first == "\u{FFFD}", "\(body) → \(text)")
        }
        guard case let .array(items) = try FastJSONParser.parse(Array(#"["\ud83d\ude00"]"#.utf8)),
            case .string("😀")? = items.first
        else {
            Issue.record("a surrogate pair no longer decodes")
            return
        }
    }
}
