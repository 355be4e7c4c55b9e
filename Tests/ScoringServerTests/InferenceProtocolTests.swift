import Foundation
import HTTPClient
import ModelFormat
@testable import ScoringServer
import TestSupport
import Testing

/// The Open Inference Protocol (V2) routes of a running server: health, metadata, inference with
/// JSON and binary tensors, V2's error shape, and bodies that arrive in pieces.
@Suite(.serialized)
struct InferenceProtocolTests {
    static let body =
        #"{"inputs": [{"name": "pair", "datatype": "BYTES", "shape": [2], "data": ["P1__X", "P2__Y"]}, {"name": "features", "datatype": "FP32", "shape": [2, 2], "data": [2.0, 0, -2, 0.5]}]}"#

    static func error(_ response: HTTPResponse) -> String? { ServerTests.json(response)["error"] as? String }

    @Test func healthAndMetadataAnswerAsV2ClientsExpect() async throws {
        try await ServerTests.withServer { base in
            let http = try ServerTests.client()
            #expect((ServerTests.json(try http.get(base + "/v2"))["extensions"] as? [String]) == ["binary_tensor_data"])
            #expect(try http.get(base + "/v2/health/live").status == 200)
            #expect(ServerTests.json(try http.get(base + "/v2/health/ready"))["ready"] as? Bool == true)
            for path in ["/v2/models/router", "/v2/models/router/versions/1"] {
                let metadata = ServerTests.json(try http.get(base + path))
                #expect(
                    metadata["name"] as? String == "router" && metadata["versions"] as? [String] == ["1"], "\(path)")
                let inputs = metadata["inputs"] as? [[String: Any]] ?? []
                #expect(inputs.map { $0["name"] as? String } == ["pair", "features"])
                #expect(inputs.last?["shape"] as? [Int] == [-1, 2])
                #expect(try http.get(base + path + "/ready").status == 200)
            }
            for (path, problem) in [
                ("/v2/models/other", "unknown model 'other'"),
                ("/v2/models/router/versions/2/ready", "unknown version '2'"),
                ("/v2/models/other/versions/1", "unknown model"), ("/v2/repository/index", "no route")
            ] {
                let answer = try http.get(base + path)
                #expect(
                    answer.status == 404 && Self.error(answer)?.contains(problem) == true,
                    "\(path): \(answer.status) \(answer.bodyText)")
            }
            let refused = try http.post(
                base + "/v2/models/other/infer", body: Array(Self.body.utf8), contentType: "application/json")
            #expect(refused.status == 404 && Self.error(refused) != nil)
        }
    }

    @Test func inferenceAnswersJSONOrBinaryAndItsErrorsInV2Shape() async throws {
        try await ServerTests.withServer { base in
            let http = try ServerTests.client()
            let answer = try http.post(
                base + "/v2/models/router/versions/1/infer", body: Array(Self.body.utf8),
                contentType: "application/json")
            #expect(answer.status == 200, "\(answer.bodyText)")
            let outputs = ServerTests.json(answer)["outputs"] as? [[String: Any]] ?? []
            #expect(outputs.map { $0["name"] as? String } == ["proba", "signal", "threshold", "model_version"])
            #expect(outputs[1]["data"] as? [Int] == [-1, 1])

            let binaryRequest = Self.body.replacingOccurrences(
                of: #"]}]}"#, with: #"]}], "parameters": {"binary_data_output": true}}"#)
            let binary = try http.post(
                base + "/v2/models/router/infer", body: Array(binaryRequest.utf8), contentType: "application/json")
            let length = try #require(binary.header("Inference-Header-Content-Length").flatMap { Int($0) })
            #expect(binary.header("Content-Type") == "application/octet-stream")
            #expect(binary.body.count == length + 2 * (8 + 4 + 8 + 8))

            let cases: [(String, [(name: String, value: String)], Int, String)] = [
                (Self.body.replacingOccurrences(of: "FP32", with: "UINT8"), [], 400, "datatype UINT8"),
                (Self.body.replacingOccurrences(of: "[2, 2]", with: "[2, 3]"), [], 400, "shape [2, 3]"),
                (Self.body, [("Inference-Header-Content-Length", "x")], 400, "Inference-Header-Content-Length"),
                (Self.body, [("Inference-Header-Content-Length", "10")], 400, "malformed JSON"),
                ("nope", [], 400, "malformed JSON")
            ]
            for (body, headers, status, problem) in cases {
                let refused = try http.post(
                    base + "/v2/models/router/infer", body: Array(body.utf8), contentType: "application/json",
                    headers: headers)
                #expect(
                    refused.status == status && Self.error(refused)?.contains(problem) == true,
                    "\(problem): \(refused.status) \(refused.bodyText)")
            }
            // The server goes on serving.
            #expect(
                try http.post(
                    base + "/v2/models/router/infer", body: Array(Self.body.utf8), contentType: "application/json"
                ).status == 200)
        }
    }

    /// Integer tensors hold integers, no outputs named is every output, and features that give a
    /// member no probability are refused on both protocols: an answer is always JSON numbers.
    @Test func integerTensorsHoldIntegersAndNoAnswerHoldsANaN() async throws {
        try await ServerTests.withServer { base in
            let http = try ServerTests.client()
            func infer(_ body: String) throws -> HTTPResponse {
                try http.post(base + "/v2/models/router/infer", body: Array(body.utf8), contentType: "application/json")
            }
            for (datatype, value) in [("INT32", "1.5"), ("INT64", "1e30"), ("INT32", "3000000000"), ("INT64", "null")] {
                let body = Self.body.replacingOccurrences(
                    of: #""FP32", "shape": [2, 2], "data": [2.0, 0, -2, 0.5]"#,
                    with: #""\#(datatype)", "shape": [2, 2], "data": [2, 0, -2, \#(value)]"#)
                let refused = try infer(body)
                #expect(
                    refused.status == 400 && Self.error(refused)?.contains("is \(datatype) but its data holds") == true,
                    "\(datatype) \(value): \(refused.bodyText)")
            }
            let integers = try infer(
                Self.body.replacingOccurrences(
                    of: #""FP32", "shape": [2, 2], "data": [2.0, 0, -2, 0.5]"#,
                    with: #""INT64", "shape": [2, 2], "data": [2, 0, -2, 1]"#))
            #expect(integers.status == 200, "\(integers.bodyText)")
            let all = try infer(Self.body.replacingOccurrences(of: #"]}]}"#, with: #"]}], "outputs": []}"#))
            #expect(
                all.status == 200 && (ServerTests.json(all)["outputs"] as? [[String: Any]])?.count == 4,
                "\(all.bodyText)")
            // The linear member (P2__Y) at +Inf and -Inf has no probability.
            let infinite = try infer(
                Self.body.replacingOccurrences(of: "[2.0, 0, -2, 0.5]", with: "[2.0, 0, Infinity, -Infinity]"))
            #expect(
                infinite.status == 400
                    && Self.error(infinite)?.contains("Row 1 (pair P2__Y): its features give no probability") == true,
                "\(infinite.status) \(infinite.bodyText)")
            let split =
                #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0], ["P2__Y", "Infinity", "-Infinity"]]}}"#
            let mlflow = try http.post(base + "/invocations", body: Array(split.utf8), contentType: "application/json")
            #expect(
                mlflow.status == 400 && !mlflow.bodyText.contains("NaN")
                    && mlflow.bodyText.contains("its features give no probability"),
                "\(mlflow.status) \(mlflow.bodyText)")
        }
    }

    @Test func anOversizedV2BodyIsRefusedInV2ShapeAndClosed() async throws {
        try await ServerTests.withServer(maxBodyBytes: 2_000) { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            socket.send(
                "POST /v2/models/router/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{"
            )
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(80))")
            #expect(answer.text.contains(#"{"error":"request body larger than 2000 bytes"}"#))
            #expect(answer.closed)
        }
    }

    /// The body of a request sent as chunks (HTTP chunked encoding) cut at `cuts`.
    static func chunked(_ path: String, _ body: [UInt8], cuts: [Int]) -> [UInt8] {
        var request = Array(
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                .utf8)
        let bounds = [0] + cuts + [body.count]
        for (start, end) in zip(bounds, bounds.dropFirst()) where end > start {
            request += Array((String(end - start, radix: 16) + "\r\n").utf8) + body[start..<end] + Array("\r\n".utf8)
        }
        return request + Array("0\r\n\r\n".utf8)
    }

    /// The answer's body (after the head), the connection read until the server closes it.
    static func answer(port: UInt16, _ request: [UInt8]) throws -> String {
        let socket = try RawConnection(port: port)
        socket.send(request)
        let text = socket.read(for: 10).text
        guard let split = text.range(of: "\r\n\r\n") else { return text }
        return text.hasPrefix("HTTP/1.1 200") ? String(text[split.upperBound...]) : text
    }

    /// A body cut at every byte boundary, and at random boundaries into many pieces, answers
    /// exactly as the whole body does, on both protocols.
    @Test func bodiesCutAtAnyByteBoundaryAnswerAsWholeOnes() async throws {
        try await ServerTests.withServer { base in
            let port = ConnectionTests.port(base)
            for (path, text) in [("/v2/models/router/infer", Self.body), ("/invocations", ServerTests.split)] {
                let body = Array(text.utf8)
                let whole = try Self.answer(port: port, Self.chunked(path, body, cuts: []))
                #expect(whole.hasPrefix("{") && whole.contains("proba"), "\(whole.prefix(200))")
                for cut in 1..<body.count {
                    let cutAnswer = try Self.answer(port: port, Self.chunked(path, body, cuts: [cut]))
                    #expect(cutAnswer == whole, "\(path) cut at byte \(cut): \(cutAnswer.prefix(200))")
                }
                var random = SeededRandom(seed: UInt64(body.count))
                for _ in 0..<40 {
                    let cuts = (0..<Int.random(in: 2...12, using: &random)).map { _ in
                        Int.random(in: 1..<body.count, using: &random)
                    }
                    #expect(
                        try Self.answer(port: port, Self.chunked(path, body, cuts: Array(Set(cuts)).sorted())) == whole,
                        "\(path) cut at \(cuts)")
                }
            }
        }
    }

    @Test func readinessIs503WithoutAModel() async throws {
        try await ServerTests.withServer(alias: "missing") { base in
            let http = try ServerTests.client()
            #expect(try http.get(base + "/v2/health/live").status == 200)
            #expect(try http.get(base + "/v2/health/ready").status == 503)
            for path in ["/v2/models/router", "/v2/models/router/ready"] {
                let answer = try http.get(base + path)
                #expect(
                    answer.status == 503 && Self.error(answer)?.contains("no model loaded") == true,
                    "\(path): \(answer.status)")
            }
            let infer = try http.post(
                base + "/v2/models/router/infer", body: Array(Self.body.utf8), contentType: "application/json")
            #expect(infer.status == 503 && Self.error(infer)?.contains("no model loaded") == true)
        }
    }
}
