import Basics
import Foundation
import HTTPClient
import Logging

/// MLflow's REST API over the project's libcurl client: experiments, runs and `runs/log-batch`,
/// artifacts through the server's artifact proxy (`mlflow server --serve-artifacts`), registered
/// models, versions and aliases. Blocking, like `HTTPClient`; call it off the cooperative pool.
public final class MLflowClient: Sendable {
    /// `runs/log-batch` limits (MLflow's REST API documentation).
    public static let maxMetricsPerBatch = 1000, maxParamsPerBatch = 100, maxTagsPerBatch = 100,
        maxEntitiesPerBatch = 1000
    public static let maxParamValueLength = 6000

    /// Short retries: a server that is down should cost a second, not a minute, before the run is
    /// kept locally; a 5xx or 429 is retried, another 4xx never is (the request itself is wrong).
    public static let defaultConfiguration = HTTPClientConfiguration(
        connectTimeout: 3, totalTimeout: 60,
        retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.2, maxDelay: 2, maxRetryAfter: 10),
        userAgent: "mntrading/\(ProductVersion.current)")

    /// The tracking URI as given, without a trailing slash.
    public let trackingURI: String
    private let http: HTTPClient
    /// For the calls that create something (a run, a model version): a 5xx may come after the
    /// server created it, and a retry would make a second one, so they are sent once. The caller
    /// looks for what an earlier attempt made before creating (`findRun`, `modelVersions`).
    private let httpOnce: HTTPClient
    private let credentials: MLflowCredentials

    public init(
        trackingURI: String, credentials: MLflowCredentials = MLflowCredentials(),
        configuration: HTTPClientConfiguration = MLflowClient.defaultConfiguration
    ) throws {
        var uri = trackingURI.trimmingCharacters(in: .whitespaces)
        while uri.hasSuffix("/") { uri.removeLast() }
        guard let url = URL(string: uri), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else {
            throw MLflowError.unusable(
                "tracking URI '\(trackingURI)' is not http(s)://host[:port] (only a tracking server is supported, not a file store)"
            )
        }
        guard url.user == nil && url.password == nil else {
            throw MLflowError.unusable(
                "put credentials in \(EnvironmentVariable.trackingCredentials), not in the tracking URI"
            )
        }
        self.trackingURI = uri
        var logger = Logger(label: "mntrading.mlflow")
        // The caller reports the outcome in one line; per-retry warnings would repeat it.
        logger.logLevel = .error
        self.http = try HTTPClient(configuration: configuration, logger: logger)
        var once = configuration
        once.retry.maxAttempts = 1
        self.httpOnce = try HTTPClient(configuration: once, logger: logger)
        self.credentials = credentials
    }

    // MARK: Experiments and runs

    /// The id of the experiment called `name`, created when missing.
    public func experimentID(named name: String) throws -> String {
        do {
            let answer = try call("GET", "experiments/get-by-name", query: ["experiment_name": name])
            if let id = (answer["experiment"] as? [String: Any])?["experiment_id"] as? String { return id }
            throw MLflowError.unusable("experiments/get-by-name answered without an experiment id")
        } catch let error as MLflowError where error.isMissingResource {
            do {
                let created = try call("POST", "experiments/create", json: ["name": name])
                guard let id = created["experiment_id"] as? String else {
                    throw MLflowError.unusable("experiments/create answered without an id")
                }
                return id
            } catch let error as MLflowError where error.description.contains("RESOURCE_ALREADY_EXISTS") {
                // Another client created it in between.
                return try experimentID(named: name)
            }
        }
    }

    /// Creates a run; returns its id and artifact URI.
    public func createRun(experimentID: String, name: String, startTime: Int64, tags: [String: String]) throws -> (
        runID: String, artifactURI: String
    ) {
        let answer = try call(
            "POST", "runs/create", once: true,
            json: [
                "experiment_id": experimentID, "run_name": name, "start_time": startTime,
                "tags": tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
            ])
        guard let info = (answer["run"] as? [String: Any])?["info"] as? [String: Any],
            let id = info["run_id"] as? String, let artifactURI = info["artifact_uri"] as? String
        else {
            throw MLflowError.unusable("runs/create answered without a run id and artifact URI")
        }
        return (id, artifactURI)
    }

    /// The run an earlier sync made for this training run in the experiment, if any (by its
    /// `mntrading.training_run` tag): what makes a sync idempotent even when the local record of the
    /// run was lost, or a create was answered 5xx after the server had made it.
    public func findRun(experimentID: String, trainingRun: String) throws -> (runID: String, artifactURI: String)? {
        let answer = try call(
            "POST", "runs/search",
            json: [
                "experiment_ids": [experimentID], "max_results": 1, "run_view_type": "ACTIVE_ONLY",
                "filter": "tags.`mntrading.training_run` = '\(trainingRun.replacingOccurrences(of: "'", with: "\\'"))'"
            ])
        guard let info = ((answer["runs"] as? [[String: Any]])?.first?["info"] as? [String: Any]),
            let id = info["run_id"] as? String, let artifactURI = info["artifact_uri"] as? String
        else { return nil }
        return (id, artifactURI)
    }

    /// Whether a run with this id exists (and is not deleted) on the server.
    public func runExists(_ runID: String) throws -> Bool {
        do {
            let answer = try call("GET", "runs/get", query: ["run_id": runID])
            let info = (answer["run"] as? [String: Any])?["info"] as? [String: Any]
            return (info?["lifecycle_stage"] as? String) != "deleted"
        } catch let error as MLflowError where error.isMissingResource {
            return false
        }
    }

    /// Logs everything in as few `runs/log-batch` calls as its limits allow. Non-finite metrics are
    /// left out (JSON cannot carry them); a param value longer than MLflow allows is cut, marked so.
    public func logBatch(
        runID: String, metrics: [String: Double], params: [String: String], tags: [String: String], timestamp: Int64
    ) throws {
        var metricQueue = metrics.filter { $0.value.isFinite }.sorted { $0.key < $1.key }[...]
        var paramQueue = params.sorted { $0.key < $1.key }[...]
        var tagQueue = tags.sorted { $0.key < $1.key }[...]
        while !metricQueue.isEmpty || !paramQueue.isEmpty || !tagQueue.isEmpty {
            let paramCount = min(paramQueue.count, Self.maxParamsPerBatch)
            let tagCount = min(tagQueue.count, Self.maxTagsPerBatch)
            let metricCount = min(
                metricQueue.count, Self.maxMetricsPerBatch, Self.maxEntitiesPerBatch - paramCount - tagCount)
            let body: [String: Any] = [
                "run_id": runID,
                "metrics": metricQueue.prefix(metricCount).map {
                    ["key": $0.key, "value": $0.value, "timestamp": timestamp, "step": 0] as [String: Any]
                },
                "params": paramQueue.prefix(paramCount).map { ["key": $0.key, "value": Self.clip($0.value)] },
                "tags": tagQueue.prefix(tagCount).map { ["key": $0.key, "value": $0.value] }
            ]
            _ = try call("POST", "runs/log-batch", json: body)
            metricQueue = metricQueue.dropFirst(metricCount)
            paramQueue = paramQueue.dropFirst(paramCount)
            tagQueue = tagQueue.dropFirst(tagCount)
        }
    }

    static func clip(_ value: String) -> String {
        guard value.count > maxParamValueLength else { return value }
        let marker = "…(cut)"
        return String(value.prefix(maxParamValueLength - marker.count)) + marker
    }

    public func finishRun(_ runID: String, endTime: Int64) throws {
        _ = try call("POST", "runs/update", json: ["run_id": runID, "status": "FINISHED", "end_time": endTime])
    }

    // MARK: Artifacts (the server's proxy)

    /// The proxy path of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/<run>/artifacts`).
    public func proxyPath(_ artifactURI: String) throws -> String {
        guard artifactURI.hasPrefix("mlflow-artifacts:") else {
            throw MLflowError.unusable(
                "artifact location '\(artifactURI)' is not served by the tracking server; start it with --serve-artifacts"
            )
        }
        var rest = String(artifactURI.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") {
            // mlflow-artifacts://host:port/path names the server explicitly; this client talks to its own.
            rest = String(rest.dropFirst(2))
            rest = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
        }
        return rest.split(separator: "/").joined(separator: "/")
    }

    public func uploadArtifact(artifactURI: String, path: String, bytes: [UInt8]) throws {
        let url = try artifactURL(try proxyPath(artifactURI) + "/" + path)
        let response = try send(
            HTTPRequest(
                method: "PUT", url: url, headers: [("Content-Type", "application/octet-stream")] + credentials.headers,
                body: bytes))
        try check(response, call: "artifact upload \(path)")
    }

    /// Every file under an artifact directory, as paths relative to it.
    public func listArtifacts(artifactURI: String) throws -> [String] {
        let root = try proxyPath(artifactURI)
        var files: [String] = [], pending = [""]
        while let directory = pending.popLast() {
            let full = directory.isEmpty ? root : root + "/" + directory
            let answer = try call("GET", "", query: ["path": full], api: "mlflow-artifacts/artifacts")
            for entry in answer["files"] as? [[String: Any]] ?? [] {
                guard let name = entry["path"] as? String else { continue }
                // The proxy answers names relative to the listed directory.
                let relative = directory.isEmpty ? name : directory + "/" + name
                if entry["is_dir"] as? Bool == true { pending.append(relative) } else { files.append(relative) }
            }
        }
        return files.sorted()
    }

    /// An artifact's bytes, refused (`MLflowError.tooLarge`) past `maxBytes`.
    public func downloadArtifact(artifactURI: String, path: String, maxBytes: Int = MLflowClient.maxAnswerBytes) throws
        -> [UInt8]
    {
        let response = try send(
            HTTPRequest(
                method: "GET", url: try artifactURL(try proxyPath(artifactURI) + "/" + path),
                headers: credentials.headers,
                maxResponseBytes: maxBytes))
        try check(response, call: "artifact download \(path)")
        return response.body
    }

    // MARK: Registry

    public func ensureRegisteredModel(_ name: String) throws {
        do {
            _ = try call("GET", "registered-models/get", query: ["name": name])
        } catch let error as MLflowError where error.isMissingResource {
            do {
                _ = try call("POST", "registered-models/create", json: ["name": name])
            } catch let error as MLflowError where error.description.contains("RESOURCE_ALREADY_EXISTS") {}
        }
    }

    /// The versions of `name` created from `runID`.
    public func modelVersions(name: String, runID: String) throws -> [ModelVersion] {
        let filter = "name='\(name.replacingOccurrences(of: "'", with: "\\'"))' and run_id='\(runID)'"
        let answer = try call("GET", "model-versions/search", query: ["filter": filter, "max_results": "1000"])
        return (answer["model_versions"] as? [[String: Any]] ?? []).compactMap(Self.modelVersion)
    }

    public func createModelVersion(name: String, source: String, runID: String, tags: [String: String]) throws
        -> ModelVersion
    {
        let answer = try call(
            "POST", "model-versions/create", once: true,
            json: [
                "name": name, "source": source, "run_id": runID,
                "tags": tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
            ])
        guard let version = (answer["model_version"] as? [String: Any]).flatMap(Self.modelVersion) else {
            throw MLflowError.unusable("model-versions/create answered without a version")
        }
        return version
    }

    public func setAlias(name: String, alias: String, version: Int) throws {
        _ = try call(
            "POST", "registered-models/alias", json: ["name": name, "alias": alias, "version": String(version)])
    }

    /// The version an alias points at.
    public func version(name: String, alias: String) throws -> ModelVersion {
        let answer = try call("GET", "registered-models/alias", query: ["name": name, "alias": alias])
        guard let version = (answer["model_version"] as? [String: Any]).flatMap(Self.modelVersion) else {
            throw MLflowError.unusable("registered-models/alias answered without a version for \(name)@\(alias)")
        }
        return version
    }

    static func modelVersion(_ json: [String: Any]) -> ModelVersion? {
        guard let name = json["name"] as? String, let text = json["version"] as? String, let version = Int(text) else {
            return nil
        }
        return ModelVersion(
            name: name, version: version, source: json["source"] as? String ?? "", runID: json["run_id"] as? String)
    }

    // MARK: Transport

    private func artifactURL(_ path: String) throws -> String {
        let encoded = path.split(separator: "/").map { component -> String in
            String(component).addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
                ?? String(component)
        }.joined(separator: "/")
        return trackingURI + "/api/2.0/mlflow-artifacts/artifacts/" + encoded
    }

    /// One REST call under `/api/2.0/<api>/<endpoint>`; answers the decoded JSON object.
    func call(
        _ method: String, _ endpoint: String, once: Bool = false, json: [String: Any]? = nil,
        query: [String: String] = [:],
        api: String = "mlflow"
    ) throws -> [String: Any] {
        var components = URLComponents(
            string: trackingURI + "/api/2.0/" + api + (endpoint.isEmpty ? "" : "/" + endpoint))!
        if !query.isEmpty {
            components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            // URLComponents leaves '+' alone, which a server reads as a space.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        let body = try json.map { [UInt8](try JSONSerialization.data(withJSONObject: $0)) }
        let headers = (body == nil ? [] : [("Content-Type", "application/json")]) + credentials.headers
        let response = try send(
            HTTPRequest(method: method, url: components.string!, headers: headers, body: body), once: once)
        let name = endpoint.isEmpty ? api : endpoint
        try check(response, call: name)
        guard !response.body.isEmpty else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw MLflowError.unusable(
                "\(name) answered something that is not a JSON object (is \(trackingURI) an MLflow server?)")
        }
        return object
    }

    /// The largest answer any call takes unless it says otherwise (a run's JSON, a listing).
    public static let maxAnswerBytes = 64 << 20

    private func send(_ request: HTTPRequest, once: Bool = false) throws -> HTTPResponse {
        var request = request
        if request.maxResponseBytes == nil { request.maxResponseBytes = Self.maxAnswerBytes }
        do {
            return try (once ? httpOnce : http).send(request)
        } catch let error as HTTPClientError {
            switch error {
            case let .transport(_, message, timedOut, attempts):
                throw MLflowError.unreachable(
                    server: trackingURI,
                    reason: "\(timedOut ? "timed out" : message) after \(attempts) attempt\(attempts == 1 ? "" : "s")")
            case .retryAfterTooLong:
                throw MLflowError.unreachable(server: trackingURI, reason: "busy (asked to retry later)")
            case let .invalidRequest(message):
                throw MLflowError.unusable(message)
            case let .responseTooLarge(url, limit):
                throw MLflowError.tooLarge(what: URL(string: url)?.path ?? url, limit: limit)
            }
        }
    }

    private func check(_ response: HTTPResponse, call: String) throws {
        guard !(200..<300).contains(response.status) else { return }
        if response.status == 401 || response.status == 403 {
            throw MLflowError.unauthorized(server: trackingURI, status: response.status)
        }
        if response.status >= 500 || response.status == 429 {
            throw MLflowError.unreachable(server: trackingURI, reason: "HTTP \(response.status) on \(call)")
        }
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let message =
            (object?["message"] as? String)
            ?? String(response.bodyText.prefix(200)).replacingOccurrences(of: "\n", with: " ")
        throw MLflowError.rejected(
            call: call, status: response.status, code: object?["error_code"] as? String, message: message)
    }
}
