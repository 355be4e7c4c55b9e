import Foundation
@testable import Basics
import TestSupport
import Testing

struct PairIDTests {
    @Test func buildsAndSplitsTheOneWay() throws {
        let id = PairID(a: "ETHUSDT", b: "BTCUSDT")
        #expect(id.text == "ETHUSDT__BTCUSDT")
        #expect(PairID("ETHUSDT__BTCUSDT") == id)
        #expect(id.legs == ["ETHUSDT", "BTCUSDT"])
    }

    @Test(arguments: ["", "ETHUSDT", "__BTC", "ETH__", "A__B__C", "A_B"])
    func anythingElseIsNotAPairID(_ text: String) {
        #expect(PairID(text) == nil)
    }

    @Test func codesAsItsTextAndRefusesBadIDs() throws {
        let data = try JSONEncoder().encode([PairID(a: "A1", b: "B2")])
        #expect(String(decoding: data, as: UTF8.self) == #"["A1__B2"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PairID].self, from: Data(#"["A1B2"]"#.utf8)) }
    }
}

struct ProjectJSONTests {
    /// The hand-written encoders' quoting must read back as Foundation reads JSON strings.
    @Test(arguments: ["plain", "quote \" and \\ backslash", "tab\tnewline\ncontrol\u{1}", "unicode é 😀", ""])
    func quotedStringsReadBackUnchanged(_ text: String) throws {
        let quoted = ProjectJSON.quoted(text)
        #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == text)
    }

    @Test func keysAreSnakeCaseSortedAndNonFiniteNumbersAreStrings() throws {
        struct Figures: Codable, Equatable {
            var maxDrawdown: Double
            var holdoutSharpe: Double
        }
        let text = try ProjectJSON.string(Figures(maxDrawdown: .infinity, holdoutSharpe: 1))
        #expect(text == #"{"holdout_sharpe":1,"max_drawdown":"inf"}"#)
        #expect(
            try ProjectJSON.decoder().decode(Figures.self, from: Data(text.utf8))
                == Figures(maxDrawdown: .infinity, holdoutSharpe: 1))
    }

    @Test func verbatimKeysLeaveUserChosenNamesAlone() throws {
        let data = try ProjectJSON.encoder(pretty: false, verbatimKeys: true).encode(["myAlias": 3])
        #expect(String(decoding: data, as: UTF8.self) == #"{"myAlias":3}"#)
        #expect(try ProjectJSON.decoder(verbatimKeys: true).decode([String: Int].self, from: data) == ["myAlias": 3])
    }
}

struct AtomicFileTests {
    @Test func replacesWholeAndLeavesNoTemporaryFile() throws {
        let directory = try temporaryDirectory("basics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/file.json"
        try AtomicFile.write("first", to: path)
        try AtomicFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/nested") == ["file.json"])
    }

    @Test func aFailedWriteNamesThePathAndKeepsTheOldContent() throws {
        let directory = try temporaryDirectory("basics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/file.txt"
        try AtomicFile.write("old", to: path)
        // The target is a directory now: rename(2) cannot replace it.
        let blocked = directory + "/blocked"
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        let error = #expect(throws: FileWriteError.self) { try AtomicFile.write("new", to: blocked) }
        #expect(error?.description.contains("cannot write '\(blocked)'") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["blocked", "file.txt"])
    }
}
