import Foundation
import HTTPClient
import Logging
import ModelFormat
import Portfolio

/// The client side of the scoring protocol: `/ping`, `/metadata`, `/invocations` over libcurl with
/// the retry policy of `HTTPClient` (connection errors, 429, 503 and 5xx retried; other 4xx never).
public final class ScoringClient: Sendable {
    public let baseURL: String
    let http: HTTPClient
    /// One attempt per poll: `waitUntilReady` is the retry loop, the client's own backoff would
    /// only stretch it.
    let ping: HTTPClient
    let logger = Logger(label: "mntrading.infer")

    public init(
        baseURL: String, connectTimeout: Double, readTimeout: Double, attempts: Int,
        sleeper: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw InferenceError.invalidInput("--server '\(baseURL)' is not an http:// or https:// URL")
        }
        self.baseURL = base
        let policy = RetryPolicy(
            maxAttempts: attempts, baseDelay: 0.25, maxDelay: 5, maxRetryAfter: 60,
            retryableStatuses: Set([429]).union(500...599))
        http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: connectTimeout, totalTimeout: readTimeout + connectTimeout,
                retry: policy, userAgent: "mntrading-infer/0.1"),
            logger: logger, sleeper: sleeper)
        ping = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: connectTimeout, totalTimeout: connectTimeout + 5,
                retry: RetryPolicy(maxAttempts: 1), userAgent: "mntrading-infer/0.1"),
            logger: logger)
    }

    /// Polls `/ping` until it answers 200 or `timeout` seconds pass (a server that is still loading
    /// answers 503, one that is starting refuses connections: both are waited for).
    public func waitUntilReady(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "no answer"
        while true {
            do {
                let response = try ping.send(HTTPRequest(method: "GET", url: baseURL + "/ping"))
                if response.status == 200 { return }
                last = "HTTP \(response.status)"
            } catch {
                last = "\(error)"
            }
            guard Date() < deadline else {
                throw InferenceError.serverUnavailable(
                    "scoring server \(baseURL) not ready after \(Int(timeout)) s of --warmup-timeout: \(last)")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// The served model: pairs, feature columns and parameters. Returns the raw body too, kept on
    /// disk for the report and for people debugging a cycle.
    public func metadata() throws -> (model: ModelMetadata, raw: Data) {
        let response = try call {
            try http.send(
                HTTPRequest(method: "GET", url: baseURL + "/metadata", maxResponseBytes: Self.maxMetadataBytes))
        }
        let data = Data(response.body)
        do {
            return (try ModelMetadata.decode(data), data)
        } catch {
            throw InferenceError.serverRejected(
                "\(baseURL)/metadata is not a router description (is this an mntrading-serve?): \(error)")
        }
    }

    /// The largest /metadata taken: a router of a thousand pairs with their metrics is well under it.
    public static let maxMetadataBytes = 16 << 20

    /// The largest answer taken for `rows` rows: a prediction record is ~120 bytes, so 1 KiB a row
    /// (and 64 KiB for the envelope) refuses only a server that sends what no answer needs.
    public static func maxAnswerBytes(rows: Int) -> Int { 64 << 10 + rows * (1 << 10) }

    /// POSTs one JSON body of `rows` rows to `/invocations`; returns the predictions and the raw answer.
    public func invoke(_ body: [UInt8], rows: Int) throws -> (predictions: [Prediction], raw: String) {
        let response = try call {
            try http.send(
                HTTPRequest(
                    method: "POST", url: baseURL + "/invocations", headers: [("Content-Type", "application/json")],
                    body: body,
                    maxResponseBytes: Self.maxAnswerBytes(rows: rows)))
        }
        do {
            return (
                try Prediction.Answer.decoder().decode(Prediction.Answer.self, from: Data(response.body)).predictions,
                response.bodyText
            )
        } catch {
            throw InferenceError.serverRejected(
                "\(baseURL)/invocations answered 200 without a list of prediction records (pair, proba, signal, threshold, model_version): \(response.bodyText.prefix(200))"
            )
        }
    }

    private func call(_ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try body()
        } catch let error as HTTPClientError {
            if case .responseTooLarge = error {
                throw InferenceError.serverRejected(
                    "\(error) (see --help: answers are taken up to 1 KiB per row); nothing written")
            }
            throw InferenceError.serverUnavailable("scoring server unavailable: \(error)")
        }
        guard response.status == 200 else {
            var message = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
            if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let text = object["message"] as? String
            {
                message = text
            }
            let attempts = response.attempts > 1 ? " after \(response.attempts) attempts" : ""
            let text = "scoring server answered HTTP \(response.status)\(attempts): \(message.prefix(300))"
            throw response.status >= 500 ? InferenceError.serverUnavailable(text) : InferenceError.serverRejected(text)
        }
        return response
    }
}
