import Foundation
import TestSupport
import Testing
@testable import ModelFormat
@testable import Scoring

/// The Open Inference Protocol (V2) codec: every accepted layout scores as /invocations does,
/// and every malformed request is refused with a message that names the problem.
struct InferenceRequestTests {
    static let columns = ["z", "z_velocity"]
    /// The rows of `RouterScoringTests.expected`.
    static let pairs = ["P1__X", "P1__X", "P2__Y"]
    static let features: [[Double]] = [[2, 0], [-1.5, 0], [-2, 0.5]]

    static func infer(_ body: [UInt8], headerLength: Int? = nil) throws -> (InferenceRequest, [Prediction]) {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let request = try InferenceRequest.decode(
            BodyBytes(body), headerLength: headerLength, featureColumns: router.manifest.featureColumns)
        return (request, try router.predictions(request))
    }

    static func check(_ predictions: [Prediction]) {
        #expect(predictions.count == 3)
        for (prediction, (pair, proba, signal)) in zip(predictions, RouterScoringTests.expected) {
            #expect(prediction.pair == pair && prediction.signal == signal && prediction.modelVersion == 1)
            #expect(abs(prediction.proba - proba) < 1e-6)
        }
    }

    static let pairTensor = #"{"name": "pair", "datatype": "BYTES", "shape": [3], "data": ["P1__X", "P1__X", "P2__Y"]}"#

    @Test(arguments: [
        // Flat row-major data, as Triton's client sends JSON tensors.
        #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
        // Nested, keys in another order, an id, extension fields.
        #"{"id": "r1", "parameters": {"x": 1}, "inputs": [{"data": [[2.0, 0], [-1.5, 0], [-2, 0.5]], "shape": [3, 2], "datatype": "FP64", "name": "features"}, \#(pairTensor)]}"#,
        // MLServer's pandas codec: one tensor per column, [N, 1] or [N], any order, extras ignored.
        #"{"parameters": {"content_type": "pd"}, "inputs": [{"name": "z_velocity", "datatype": "FP64", "shape": [3, 1], "data": [0, 0, 0.5]}, {"name": "pair", "datatype": "BYTES", "shape": [3, 1], "data": ["P1__X", "P1__X", "P2__Y"]}, {"name": "z", "datatype": "FP64", "shape": [3], "data": [2, -1.5, -2]}, {"name": "note", "datatype": "BYTES", "shape": [3], "data": ["a", "b", "c"]}, {"name": "count", "datatype": "INT64", "shape": [3], "data": [1, -2, 9007199254740992]}]}"#
    ])
    func everyJSONLayoutScoresAsInvocationsDoes(body: String) throws {
        let (_, predictions) = try Self.infer(Array(body.utf8))
        Self.check(predictions)
    }

    static func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A request with binary tensors, as tritonclient builds it: JSON, then the tensors' bytes.
    static func binaryRequest(datatype: String, outputs: String = "") -> (body: [UInt8], headerLength: Int) {
        let pairBytes = pairs.flatMap { little(UInt32($0.utf8.count)) + Array($0.utf8) }
        let values = features.flatMap { $0 }
        let featureBytes: [UInt8] =
            switch datatype {
            case "FP32": values.flatMap { little(Float($0).bitPattern) }
            default: values.flatMap { little($0.bitPattern) }
            }
        let json =
            #"{"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [3], "parameters": {"binary_data_size": \#(pairBytes.count)}}, {"name": "features", "datatype": "\#(datatype)", "shape": [3, 2], "parameters": {"binary_data_size": \#(featureBytes.count)}}]\#(outputs)}"#
        return (Array(json.utf8) + pairBytes + featureBytes, json.utf8.count)
    }

    @Test(arguments: ["FP32", "FP64"])
    func binaryTensorsScoreAsJSONOnesDo(datatype: String) throws {
        let (body, length) = Self.binaryRequest(datatype: datatype)
        let (_, predictions) = try Self.infer(body, headerLength: length)
        Self.check(predictions)
    }

    /// Outputs come as JSON by default, as binary when the request or the output asks, each one
    /// little-endian in its datatype after the JSON header whose length the answer gives.
    @Test func outputsAreJSONOrBinaryAsAsked() throws {
        let (body, length) = Self.binaryRequest(
            datatype: "FP32",
            outputs:
                #", "outputs": [{"name": "signal", "parameters": {"binary_data": true}}, {"name": "proba"}], "parameters": {"binary_data_output": false}"#
        )
        let (request, predictions) = try Self.infer(body, headerLength: length)
        let (answer, headerLength) = try InferenceResponse.encode(
            predictions, request: request, modelName: "router", modelVersion: 1)
        let header = try #require(headerLength)
        let json = try JSONSerialization.jsonObject(with: Data(answer[0..<header])) as! [String: Any]
        #expect(json["model_name"] as? String == "router" && json["model_version"] as? String == "1")
        let outputs = json["outputs"] as! [[String: Any]]
        #expect(outputs.map { $0["name"] as? String } == ["signal", "proba"])
        #expect((outputs[0]["parameters"] as? [String: Int])?["binary_data_size"] == 12 && outputs[0]["data"] == nil)
        let signals = (0..<3).map { row in
            Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(answer[header + row * 4 + $1]) << (8 * $1) })
        }
        #expect(signals == RouterScoringTests.expected.map { Int32($0.2) })
        #expect(answer.count == header + 12)
        let probabilities = outputs[1]["data"] as! [Double]
        #expect(zip(probabilities, RouterScoringTests.expected).allSatisfy { abs($0 - $1.1) < 1e-6 })

        // With binary_data_output every output not told otherwise is binary: 8 + 4 + 8 + 8 bytes a row.
        let all = InferenceRequest(
            id: "x", pairs: request.pairs, values: request.values, outputs: nil, binaryOutputs: true)
        let (binary, binaryHeader) = try InferenceResponse.encode(
            predictions, request: all, modelName: "router", modelVersion: 1)
        #expect(binary.count - (try #require(binaryHeader)) == 3 * 28)
        let plain = InferenceRequest(
            id: nil, pairs: request.pairs, values: request.values, outputs: nil, binaryOutputs: false)
        #expect(
            try InferenceResponse.encode(predictions, request: plain, modelName: "router", modelVersion: 1).headerLength
                == nil)
    }

    @Test(arguments: [
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "BOOL", "shape": [3, 2], "data": [true, false, true, false, true, false]}]}"#,
            "datatype BOOL"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [true, false, true, false, true, false]}]}"#,
            "holds booleans"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": ["2", 0, -1.5, 0, -2, 0.5]}]}"#,
            "holds strings"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2]}]}"#,
            "6 values, but its data holds 5"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [2, 3], "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
            "must be [3, 2]"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [-3, -2], "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
            "negative"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "z", "datatype": "FP32", "shape": [3], "data": [2, -1.5, -2]}]}"#,
            "missing inputs: 'z_velocity'"
        ),
        (
            #"{"inputs": [{"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
            "missing input 'pair'"
        ),
        (#"{"inputs": [{"name": "pair", "datatype": "FP32", "shape": [1], "data": [1]}]}"#, "'pair' has datatype FP32"),
        (#"{"inputs": [\#(pairTensor), \#(pairTensor)]}"#, "given twice"),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
            "no shape"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2, 0.5]}]}"#,
            "no datatype"
        ),
        (#"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2]}]}"#, "no data"),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "parameters": {"binary_data_size": 24}}]}"#,
            "no Inference-Header-Content-Length"
        ),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2.5], "data": []}]}"#,
            "array of integers"
        ),
        (#"{"outputs": []}"#, "no 'inputs'"),
        (#"{"inputs": [\#(pairTensor)], "id": 7}"#, "'id' must be a string"),
        (#"{"inputs": [\#(pairTensor)]} x"#, "malformed JSON"),
        (
            #"{"inputs": [\#(pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2, 0.5"#,
            "malformed JSON"
        )
    ])
    func malformedRequestsAreRefusedByName(body: String, problem: String) throws {
        do {
            _ = try InferenceRequest.decode(
                BodyBytes(Array(body.utf8)), headerLength: nil, featureColumns: Self.columns)
            Issue.record("accepted: \(body)")
        } catch let error as InferenceProtocolError {
            #expect(error.message.contains(problem), "\(error.message)")
            #expect(!error.notFound)
        }
    }

    @Test func binaryDataThatDoesNotFillTheBodyIsRefused() throws {
        let (body, length) = Self.binaryRequest(datatype: "FP32")
        for (cut, problem) in [
            (body.dropLast(3), "remain in the body"), (body + [0, 0], "belong to no input"),
            (body.dropLast(1), "remain in the body")
        ] {
            do {
                _ = try Self.infer(Array(cut), headerLength: length)
                Issue.record("accepted a body of \(cut.count) bytes")
            } catch let error as InferenceProtocolError {
                #expect(error.message.contains(problem), "\(error.message)")
            }
        }
        #expect(throws: InferenceProtocolError.self) { try Self.infer(body, headerLength: body.count + 1) }
    }

    @Test func anUnknownPairOrOutputIsRefusedByName() throws {
        let body =
            #"{"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [1], "data": ["Q__R"]}, {"name": "features", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]}]}"#
        #expect(throws: InferenceProtocolError("row 0: unknown pair 'Q__R'; this router serves P1__X, P2__Y")) {
            try Self.infer(Array(body.utf8))
        }
        let (request, predictions) = try Self.infer(
            Array(
                #"{"inputs": [\#(Self.pairTensor), {"name": "features", "datatype": "FP32", "shape": [3, 2], "data": [2, 0, -1.5, 0, -2, 0.5]}], "outputs": [{"name": "probability"}]}"#
                    .utf8))
        #expect(throws: InferenceProtocolError.self) {
            try InferenceResponse.encode(predictions, request: request, modelName: "router", modelVersion: 1)
        }
    }

    /// Missing values (null, NaN) score as missing, as in /invocations.
    @Test func missingValuesScoreAsInvocationsDoes() throws {
        let (router, root) = try RouterScoringTests.router()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let v2 =
            #"{"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [2], "data": ["P1__X", "P2__Y"]}, {"name": "features", "datatype": "FP64", "shape": [2, 2], "data": [[null, 1], [NaN, 0.5]]}]}"#
        let mlflow =
            #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", null, 1], ["P2__Y", null, 0.5]]}}"#
        let request = try InferenceRequest.decode(
            BodyBytes(Array(v2.utf8)), headerLength: nil, featureColumns: router.manifest.featureColumns)
        let viaV2 = try router.predictions(request)
        let viaMLflow = try router.predictions(body: Array(mlflow.utf8), contentType: "application/json")
        #expect(viaV2.map(\.proba) == viaMLflow.map(\.proba))
    }
}
