import Foundation
import Hummingbird
import TestSupport
import Logging
import MarketData
import NIOCore
import PairResearch

/// A scoring server that misbehaves on request, on 127.0.0.1 and an ephemeral port: the fault
/// tests of `mntrading-infer` (down, 5xx then 200, slow past the read timeout, 4xx, killed mid-cycle).
/// Its /metadata describes two planted synthetic pairs with small windows; /invocations answers
/// every row with proba 0.8 and a signal against the stretch, as the real router would.
final class FakeScoringServer: @unchecked Sendable {
    // @unchecked Sendable: `mode` and the counters are guarded by `lock`.
    enum Mode: Sendable {
        case ok
        /// The first `count` invocations answer `status`, then 200.
        case failFirst(count: Int, status: Int)
        /// The first `count` invocations wait `seconds` before answering.
        case slowFirst(count: Int, seconds: Double)
        case alwaysStatus(Int)
        /// A proxy that edits the answer: `field` of the first prediction becomes `value` (JSON).
        case tamper(field: String, value: String)
        /// The answer padded to `bytes` with whitespace (a runaway or hostile server).
        case oversized(bytes: Int)
    }

    static let pairs = [("SYNA1USDT", "SYNA0USDT"), ("SYNB1USDT", "SYNB0USDT")]
    static let lagFeatures = 3

    private let lock = NSLock()
    private var mode: Mode
    private var invocationCount = 0
    private var rowsSeen: [Int] = []

    init(mode: Mode = .ok) { self.mode = mode }

    var invocations: Int { lock.withLock { invocationCount } }
    var rowsPerInvocation: [Int] { lock.withLock { rowsSeen } }
    func setMode(_ mode: Mode) { lock.withLock { self.mode = mode } }

    static var featureColumns: [String] {
        var definition = DatasetDefinition()
        definition.lagFeatures = lagFeatures
        return definition.featureNames
    }

    static var metadata: String {
        let pairs = Self.pairs.map { a, b in
            #"{"pair":"\#(a)__\#(b)","legs":["\#(a)","\#(b)"],"threshold":0.6,"kind":"gbdt"}"#
        }.joined(separator: ",")
        let columns = featureColumns.map { "\"\($0)\"" }.joined(separator: ",")
        return
            #"{"name":"mntrading_router","version":7,"model_uri":"models:/mntrading_router@champion","feature_columns":[\#(columns)],"#
            + #""feature_parameters":{"timeframe":"5m","beta_window":200,"z_window":60,"lag_features":\#(lagFeatures),"label_type":"z_threshold","zscore_threshold":1.2,"horizon":3},"#
            + #""pairs":[\#(pairs)]}"#
    }

    private func nextBehaviour() -> (status: Int, delay: Double) {
        lock.withLock {
            invocationCount += 1
            switch mode {
            case .ok: return (200, 0)
            case let .failFirst(count, status): return invocationCount <= count ? (status, 0) : (200, 0)
            case let .slowFirst(count, seconds): return (200, invocationCount <= count ? seconds : 0)
            case let .alwaysStatus(status): return (status, 0)
            case .tamper, .oversized: return (200, 0)
            }
        }
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/ping") { _, _ in Response(status: .ok) }
        router.get("/metadata") { _, _ in Self.json(.ok, Self.metadata) }
        router.post("/invocations") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let (status, delay) = self.nextBehaviour()
            if delay > 0 { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
            guard status == 200 else {
                return Self.json(
                    HTTPResponse.Status(code: status), #"{"error_code":"FAULT","message":"injected HTTP \#(status)"}"#)
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let split = object["dataframe_split"] as? [String: Any], let columns = split["columns"] as? [String],
                let rows = split["data"] as? [[Any]], columns == ["pair"] + Self.featureColumns,
                let zIndex = columns.firstIndex(of: "z")
            else {
                return Self.json(
                    .badRequest, #"{"error_code":"BAD_REQUEST","message":"not the dataframe_split this model takes"}"#)
            }
            self.lock.withLock { self.rowsSeen.append(rows.count) }
            let mode = self.lock.withLock { self.mode }
            let predictions = rows.enumerated().map { index, row -> String in
                let z = (row[zIndex] as? NSNumber)?.doubleValue ?? 0
                var fields = [
                    "pair": "\"\(row[0])\"", "proba": "0.8", "signal": "\(z > 0 ? -1 : (z < 0 ? 1 : 0))",
                    "threshold": "0.6", "model_version": "7"
                ]
                if case let .tamper(field, value) = mode, index == 0 {
                    // "reversed": the side of a real signal turned over.
                    fields[field] = value == "reversed" ? "\(z > 0 ? 1 : -1)" : value
                }
                return "{"
                    + ["pair", "proba", "signal", "threshold", "model_version"].map { "\"\($0)\":\(fields[$0]!)" }
                    .joined(separator: ",") + "}"
            }
            var answer = #"{"predictions":[\#(predictions.joined(separator: ","))]}"#
            if case let .oversized(bytes) = mode {
                answer += String(repeating: " ", count: max(0, bytes - answer.utf8.count))
            }
            return Self.json(.ok, answer)
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Runs `body` with the server listening; it stops when `body` returns or throws.
    func withServer<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        try await withLocalServer(router(), label: "fake-scoring-server", body)
    }
}
