import Foundation
import Testing
@testable import Scoring

struct FastJSONTests {
    @Test func parsesWhatFoundationParsesToTheSameValues() throws {
        let text = #"{"a": [1, -2.5e-3, 0, 1E2, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é", "o": {"k": {}}, "e": []}"#
        let parsed = try FastJSONParser.parse(Array(text.utf8))
        #expect(parsed["a"] == .array([.number(1), .number(-0.0025), .number(0), .number(100), .bool(true), .bool(false), .null]))
        #expect(parsed["s"] == .string("q\"\\/\u{8}\u{c}\n\r\té😀 é"))
        #expect(parsed["o"] == .object([("k", .object([]))]))
        #expect(parsed["e"] == .array([]))
        // Shortest round-trip doubles come back exactly.
        for value in [0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, -2.2250738585072014e-308] {
            #expect(try FastJSONParser.parse(Array("\(value)".utf8)) == .number(value))
        }
    }

    @Test func acceptsPythonsNonFiniteLiteralsAsMLflowDoes() throws {
        #expect(try FastJSONParser.parse(Array("[NaN, Infinity, -Infinity]".utf8)) == .array([.number(.nan), .number(.infinity), .number(-.infinity)]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "+1", "0x10", "\"abc", "\"a\u{1}b\"", "[1] 2", "tru", "{\"a\":1,}", "\"\\x\""])
    func rejectsMalformedInput(text: String) {
        #expect(throws: FastJSONParser.SyntaxError.self) { try FastJSONParser.parse(Array(text.utf8)) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: FastJSONParser.SyntaxError.self) { try FastJSONParser.parse(Array(deep.utf8)) }
    }
}
