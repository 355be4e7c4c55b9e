import Foundation
import TestSupport
import Testing
@testable import ModelFormat
@testable import Scoring

struct RouterScoringTests {
    static func router() throws -> (RouterModel, String) {
        let root = Fixture.directory()
        try Fixture.writeVersion(ModelStore(root: root))
        return (try RouterModel(directory: ModelStore(root: root).versionDirectory("router", 1)), root)
    }

    static func score(_ body: String, contentType: String = "application/json") throws -> [[String: Any]] {
        let (router, root) = try router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let answer = try router.invoke(body: Array(body.utf8), contentType: contentType)
        return (try JSONSerialization.jsonObject(with: Data(answer)) as! [String: Any])["predictions"]
            as! [[String: Any]]
    }

    /// σ(1) ≈ 0.731 ≥ 0.6 for P1 at z > 0 → short the spread (−1); σ(−1) at z < 0 → no signal.
    /// P2: σ(0.5 + 2·0.5) ≈ 0.818 → against z = −2 → +1.
    static let expected: [(String, Double, Int)] = [
        ("P1__X", 1 / (1 + exp(-1.0)), -1), ("P1__X", 1 / (1 + exp(1.0)), 0),
        ("P2__Y", 1 / (1 + exp(-1.5)), 1)
    ]

    static func check(_ predictions: [[String: Any]]) {
        #expect(predictions.count == 3)
        for (prediction, (pair, proba, signal)) in zip(predictions, expected) {
            #expect(prediction["pair"] as? String == pair)
            #expect(abs((prediction["proba"] as! Double) - proba) < 1e-6)
            #expect(prediction["signal"] as? Int == signal)
            #expect(prediction["model_version"] as? Int == 1)
            #expect(prediction["threshold"] as? Double == 0.6)
        }
    }

    @Test(arguments: [
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "index": [0, 1, 2], "data": [["P1__X", 2.0, 0], ["P1__X", -1.5, 0], ["P2__Y", -2, 0.5]]}}"#,
        #"{"dataframe_records": [{"pair": "P1__X", "z": 2.0, "z_velocity": 0, "extra": "ignored"}, {"z_velocity": 0, "z": -1.5, "pair": "P1__X"}, {"pair": "P2__Y", "z": "-2", "z_velocity": 0.5}]}"#,
        #"{"instances": [{"pair": "P1__X", "z": 2.0, "z_velocity": 0}, {"pair": "P1__X", "z": -1.5, "z_velocity": 0}, {"pair": "P2__Y", "z": -2, "z_velocity": 0.5}], "params": {"x": 1}}"#,
        #"{"inputs": {"pair": ["P1__X", "P1__X", "P2__Y"], "z": [2.0, -1.5, -2], "z_velocity": [0, 0, 0.5]}}"#
    ])
    func everyInputShapeGivesTheSameAnswer(body: String) throws {
        Self.check(try Self.score(body))
    }

    @Test func csvToo() throws {
        Self.check(
            try Self.score("pair,z,z_velocity\nP1__X,2.0,0\nP1__X,-1.5,0\nP2__Y,-2,0.5\n", contentType: "text/csv"))
    }

    @Test func nullIsMissingAndTakesTheDefaultBranch() throws {
        let predictions = try Self.score(
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", null, 0]]}}"#)
        #expect(abs((predictions[0]["proba"] as! Double) - 1 / (1 + exp(1.0))) < 1e-6)
        #expect(predictions[0]["signal"] as? Int == 0)
    }

    @Test(arguments: [
        (
            #"{"dataframe_split": {"columns": ["pair", "z"], "data": [["P1__X", 1]]}}"#,
            "Model is missing inputs ['z_velocity']"
        ),
        (
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["NOPE__X", 1, 0]]}}"#,
            "unknown pair 'NOPE__X'"
        ),
        (
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", "abc", 0]]}}"#,
            "Failed to convert column z to type 'float64'"
        ),
        (
            #"{"dataframe_split": {"data": [["P1__X", 1, 0]], "dtypes": {}}}"#,
            "Dataframe split format must have 'data' field"
        ),
        (#"{"dataframe_split": [1, 2]}"#, "Dataframe split format must be a dictionary. Got list."),
        (#"{"dataframe_records": {"a": 1}}"#, "Dataframe records format must be a list of records. Got dictionary."),
        (
            #"{"dataframe_split": {"data": []}, "inputs": {}}"#,
            "Received dictionary with input fields: ['dataframe_split', 'inputs']"
        ),
        (#"{"something": 1}"#, "Received dictionary with input fields: []"),
        (#"{"inputs": {"pair": ["P1__X"]}, "params": [1]}"#, "Parameters must be a dictionary. Got type 'list'."),
        ("not json", "Invalid input. Ensure that input is a valid JSON formatted string.")
    ])
    func clientMistakesAreTypedErrors(body: String, message: String) throws {
        let (router, root) = try Self.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect {
            _ = try router.invoke(body: Array(body.utf8), contentType: "application/json")
        } throws: { error in
            guard let error = error as? ScoringError else { return false }
            return error.message.contains(message)
        }
    }

    @Test func anUnknownContentTypeIsRefused() throws {
        let (router, root) = try Self.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: ScoringError.self) { try router.invoke(body: [], contentType: "text/plain") }
    }
}

/// The plain `dataframe_split` fast path must answer exactly as the general decoder does, and hand
/// every other body (and every error) to it.
struct SplitFastPathTests {
    static let columns = ["z", "z_velocity"]

    @Test(arguments: [
        (
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0], ["P1__X", -1.5, 0], ["P2__Y", -2, 0.5]]}}"#,
            true
        ),
        (
            #" { "dataframe_split" : { "index" : [0, 1], "columns" : ["z_velocity", "extra", "pair", "z"], "data" : [ [0.5, "note", "P2__Y", -2e0], [true, null, "P1__X", NaN] ] } } "#,
            true
        ),
        // ±Inf and huge values through the tree member (the linear one has no probability for them: refused, below).
        (
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", -Infinity, false], ["P1__X", Infinity, 123456789012345678]]}}"#,
            true
        ),
        (#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": []}}"#, true),
        // Columns in another order, an extra column, a string in it, a pair with an escape in its name or a column name.
        (
            #"{"dataframe_split": {"columns": ["z_velocity", "pair", "z"], "data": [[0, "P1__X", 2.0], [0.5, "P2__Y", -2]]}}"#,
            true
        ),
        (
            #"{"dataframe_split": {"columns": ["pair", "note", "z", "z_velocity"], "data": [["P1__X", "x\"y", 2.0, 0]]}}"#,
            true
        ),
        (#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P\u0031__X", 2.0, 0]]}}"#, false),
        (#"{"dataframe_split": {"columns": ["pair", "\u007a", "z_velocity"], "data": [["P1__X", 2.0, 0]]}}"#, true),
        // Handed to the general decoder: numeric strings, params, data before columns, short rows, other shapes.
        (#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", "2.5", 0]]}}"#, false),
        (
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.5, 0]]}, "params": {}}"#,
            false
        ),
        (#"{"dataframe_split": {"data": [["P1__X", 2.5, 0]], "columns": ["pair", "z", "z_velocity"]}}"#, false),
        (#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.5]]}}"#, false),
        (#"{"inputs": {"pair": ["P1__X"], "z": [2.0], "z_velocity": [0]}}"#, false)
    ])
    func answersAsTheGeneralDecoderDoes(body: String, fast: Bool) throws {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Array(body.utf8)
        #expect((FastJSONParser.plainDataframeSplit(BodyBytes(bytes), reading: router.reading) != nil) == fast)
        let viaFastPath = try router.predictions(body: bytes, contentType: "application/json")
        let general = try router.score(try RequestDecoder.decode(bytes, contentType: "application/json"))
        #expect(viaFastPath.count == general.count)
        for (a, b) in zip(viaFastPath, general) {
            #expect(
                a.pair == b.pair && a.signal == b.signal && a.threshold == b.threshold
                    && a.modelVersion == b.modelVersion)
            #expect(a.proba.bitPattern == b.proba.bitPattern || (a.proba.isNaN && b.proba.isNaN))
        }
    }

    @Test(arguments: [
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["NOPE__X", 2.0, 0]]}}"#,
        #"{"dataframe_split": {"columns": ["pair", "z"], "data": [["P1__X", 2.0]]}}"#,
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0]"#,
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [[null, 2.0, 0]]}}"#,
        // A row the linear member gives no probability (0 × Inf): never an answer holding NaN.
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0], ["P2__Y", Infinity, 1]]}}"#
    ])
    func errorsComeFromTheGeneralDecoder(body: String) throws {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Array(body.utf8)
        var general: ScoringError?
        do { _ = try router.score(try RequestDecoder.decode(bytes, contentType: "application/json")) } catch {
            general = error as? ScoringError
        }
        let expected = try #require(general)
        #expect(throws: expected) { _ = try router.predictions(body: bytes, contentType: "application/json") }
    }
}

/// The server writes `/invocations` answers by hand for speed; the client reads them with the shared
/// `Prediction` type. The two must agree on every field and value.
struct PredictionAnswerTests {
    @Test func theHandWrittenAnswerIsThePredictionType() throws {
        // Pair ids written as they are, and ones JSON must escape; thresholds that print long.
        let pairs = ["SYN0USDT__SYNB0USDT", "q\"uote__x", "é__ü", "back\\slash__y"]
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let version = try Fixture.writeVersion(
            ModelStore(root: root), pairs: pairs, thresholds: [0.5, 0.6, 0.55, 0.123456789])
        let router = try RouterModel(directory: ModelStore(root: root).versionDirectory("router", version))
        var generator = SeededRandom(seed: 7)
        let rows: [[Any]] = (0..<500).map { index in
            [
                pairs[index % pairs.count], Double.random(in: -3...3, using: &generator) * (index % 11 == 0 ? 1e-9 : 1),
                Double.random(in: -1...1, using: &generator)
            ]
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "dataframe_split": ["columns": ["pair", "z", "z_velocity"], "data": rows]
        ])
        let answer = try router.invoke(body: [UInt8](body), contentType: "application/json")
        let predictions = try router.predictions(body: [UInt8](body), contentType: "application/json")
        #expect(Set(predictions.map(\.pair)) == Set(pairs) && Set(predictions.map(\.threshold)).count == 4)
        let decoded = try Prediction.Answer.decoder().decode(Prediction.Answer.self, from: Data(answer))
        #expect(decoded.predictions == predictions)
        // The same keys as the Codable encoder writes, no more and no fewer.
        let encoded = try Prediction.Answer.encoder().encode(Prediction.Answer(predictions: predictions))
        let handKeys = try #require(
            (try JSONSerialization.jsonObject(with: Data(answer)) as? [String: [[String: Any]]])?["predictions"]?.first?
                .keys)
        let codableKeys = try #require(
            (try JSONSerialization.jsonObject(with: encoded) as? [String: [[String: Any]]])?["predictions"]?.first?.keys
        )
        #expect(Set(handKeys) == Set(codableKeys))
        #expect(try Prediction.Answer.decoder().decode(Prediction.Answer.self, from: encoded) == decoded)
    }
}

/// The CSV fast path answers as the general decoder does, bit for bit, and leaves everything it does
/// not handle (quotes, spaces, text in a number column, short rows, unknown pairs) to it.
struct CSVFastPathTests {
    @Test(arguments: [
        ("pair,z,z_velocity\nP1__X,2.0,0\nP1__X,-1.5,0\nP2__Y,-2,0.5\n", true),
        ("z_velocity,extra,pair,z\r\n0.5,7,P2__Y,-2e0\r\n,3,P1__X,0.30000000000000004\r\n", true),
        ("pair,z,z_velocity\nP1__X,1.00000001192092895507812500001,-0\n\nP2__Y,123456789012345678,1e-45\n", true),
        ("pair,z,z_velocity\n", true),
        ("pair,z,z_velocity\nP1__X,\"2.5\",0\n", false),
        ("pair,z,z_velocity\nP1__X, 2.5,0\n", false),
        ("pair,z,z_velocity\nP1__X,nan,0\n", false),
        ("pair,z,z_velocity\nP1__X,2.5\n", false),
        ("pair,z\nP1__X,2.5\n", false)
    ])
    func answersAsTheGeneralDecoderDoes(body: String, fast: Bool) throws {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Array(body.utf8)
        #expect((FastJSONParser.plainCSV(BodyBytes(bytes), reading: router.reading) != nil) == fast)
        let general = Result { try router.score(try RequestDecoder.decode(bytes, contentType: "text/csv")) }
        let viaFastPath = Result { try router.predictions(body: bytes, contentType: "text/csv") }
        switch (viaFastPath, general) {
        case let (.success(a), .success(b)):
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) {
                #expect(
                    x.pair == y.pair && x.signal == y.signal
                        && (x.proba.bitPattern == y.proba.bitPattern || (x.proba.isNaN && y.proba.isNaN)))
            }
        case let (.failure(a), .failure(b)):
            #expect("\(a)" == "\(b)")
        default:
            Issue.record("fast path \(viaFastPath), general decoder \(general)")
        }
    }

    /// Random rows with numbers of every digit count: the same Floats either way.
    @Test func randomRowsGiveTheSameProbabilities() throws {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = SeededRandom(seed: 17)
        var text = "pair,z,z_velocity\n"
        for index in 0..<2_000 {
            let z = Double.random(in: -4...4, using: &generator), v = Double.random(in: -1...1, using: &generator)
            let digits = 1 + index % 17
            text += "\(index % 2 == 0 ? "P1__X" : "P2__Y"),\(String(format: "%.\(digits)g", z)),\(v)\n"
        }
        let bytes = Array(text.utf8)
        #expect(FastJSONParser.plainCSV(BodyBytes(bytes), reading: router.reading) != nil)
        let fast = try router.predictions(body: bytes, contentType: "text/csv")
        let general = try router.score(try RequestDecoder.decode(bytes, contentType: "text/csv"))
        #expect(fast.count == 2_000 && fast.map(\.proba.bitPattern) == general.map(\.proba.bitPattern))
    }
}
