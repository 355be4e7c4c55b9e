import Foundation
import Hummingbird
import NIOCore
import TestSupport

/// An in-memory MLflow tracking server with the registry and the artifact proxy, enough of the
/// REST API for the tracker: it counts calls, checks `runs/log-batch`'s limits, and can refuse
/// artifact uploads or every call with 401, to test what is (not) created then.
final class FakeMLflow: @unchecked Sendable {
    // @unchecked Sendable: every field below is read and written under `lock`.
    private let lock = NSLock()
    private var experiments: [String: String] = [:]
    private(set) var runs: [String: [String: Any]] = [:]
    private var runTags: [String: [String: String]] = [:]
    private var runExperiments: [String: String] = [:]
    private(set) var metrics: [String: [String: Double]] = [:]
    private(set) var artifacts: [String: [UInt8]] = [:]
    private(set) var versions: [(name: String, version: Int, source: String, runID: String)] = []
    private(set) var aliases: [String: Int] = [:]
    private(set) var batchSizes: [Int] = []
    var failUploads = false
    var requireToken: String?

    func with<T>(_ body: (FakeMLflow) -> T) -> T { lock.withLock { body(self) } }

    static func json(_ status: HTTPResponse.Status, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let missing = json(.notFound, ["error_code": "RESOURCE_DOES_NOT_EXIST", "message": "not found"])

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let api = "/api/2.0/mlflow/"
        router.middlewares.add(TokenCheck(fake: self))
        router.get(.init(api + "experiments/get-by-name")) { request, _ in
            let name = request.uri.queryParameters["experiment_name"].map(String.init) ?? ""
            return self.lock.withLock { self.experiments[name] }.map {
                Self.json(.ok, ["experiment": ["experiment_id": $0, "name": name]])
            } ?? Self.missing
        }
        router.post(.init(api + "experiments/create")) { request, context in
            let body = try await Self.body(request)
            let id = self.lock.withLock { () -> String in
                let id = String(self.experiments.count + 1)
                self.experiments[body["name"] as? String ?? ""] = id
                return id
            }
            return Self.json(.ok, ["experiment_id": id])
        }
        router.post(.init(api + "runs/create")) { request, _ in
            let body = try await Self.body(request)
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let experiment = body["experiment_id"] as? String ?? "0"
            let info: [String: Any] = [
                "run_id": id, "artifact_uri": "mlflow-artifacts:/\(experiment)/\(id)/artifacts",
                "lifecycle_stage": "active"
            ]
            let tags = (body["tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
                $0[$1["key"] as? String ?? ""] = $1["value"] as? String
            }
            self.lock.withLock {
                self.runs[id] = info
                self.runTags[id] = tags
                self.runExperiments[id] = experiment
            }
            return Self.json(.ok, ["run": ["info": info]])
        }
        // Only the filter the tracker sends: tags.`mntrading.training_run` = '<id>'.
        router.post(.init(api + "runs/search")) { request, _ in
            let body = try await Self.body(request)
            let filter = body["filter"] as? String ?? ""
            let experiments = Set(body["experiment_ids"] as? [String] ?? [])
            guard let open = filter.range(of: "= '"), filter.hasPrefix("tags.`mntrading.training_run`"),
                filter.hasSuffix("'")
            else {
                return Self.json(
                    .badRequest, ["error_code": "INVALID_PARAMETER_VALUE", "message": "unsupported filter \(filter)"])
            }
            let wanted = String(filter[open.upperBound..<filter.index(before: filter.endIndex)])
            let found = self.lock.withLock {
                self.runs.filter {
                    experiments.contains(self.runExperiments[$0.key] ?? "")
                        && self.runTags[$0.key]?["mntrading.training_run"] == wanted
                }
                .map { ["info": $0.value] }
            }
            return Self.json(.ok, ["runs": found])
        }
        router.get(.init(api + "runs/get")) { request, _ in
            let id = request.uri.queryParameters["run_id"].map(String.init) ?? ""
            return self.lock.withLock { self.runs[id] }.map { Self.json(.ok, ["run": ["info": $0]]) } ?? Self.missing
        }
        router.post(.init(api + "runs/log-batch")) { request, _ in
            let body = try await Self.body(request)
            let metrics = body["metrics"] as? [[String: Any]] ?? [], params = body["params"] as? [[String: Any]] ?? []
            let tags = body["tags"] as? [[String: Any]] ?? []
            guard metrics.count <= 1000, params.count <= 100, tags.count <= 100,
                metrics.count + params.count + tags.count <= 1000
            else {
                return Self.json(.badRequest, ["error_code": "INVALID_PARAMETER_VALUE", "message": "batch too large"])
            }
            self.lock.withLock {
                self.batchSizes.append(metrics.count + params.count + tags.count)
                let run = body["run_id"] as? String ?? ""
                for metric in metrics {
                    self.metrics[run, default: [:]][metric["key"] as? String ?? ""] = metric["value"] as? Double
                }
            }
            return Self.json(.ok, [:] as [String: Any])
        }
        router.post(.init(api + "runs/update")) { _, _ in Self.json(.ok, [:] as [String: Any]) }
        router.put("/api/2.0/mlflow-artifacts/artifacts/**") { request, context in
            if self.lock.withLock({ self.failUploads }) {
                return Self.json(.internalServerError, ["message": "disk full"])
            }
            let path = String(request.uri.path.dropFirst("/api/2.0/mlflow-artifacts/artifacts/".count))
            let bytes = try await request.body.collect(upTo: 1 << 24)
            self.lock.withLock { self.artifacts[path] = Array(buffer: bytes) }
            return Self.json(.ok, [:] as [String: Any])
        }
        router.get(.init(api + "registered-models/get")) { _, _ in Self.json(.ok, ["registered_model": ["name": "x"]]) }
        router.get(.init(api + "model-versions/search")) { request, _ in
            let filter = request.uri.queryParameters["filter"].map(String.init) ?? ""
            let found = self.lock.withLock { self.versions.filter { filter.contains("run_id='\($0.runID)'") } }
            return Self.json(
                .ok,
                [
                    "model_versions": found.map {
                        ["name": $0.name, "version": String($0.version), "source": $0.source, "run_id": $0.runID]
                    }
                ])
        }
        router.post(.init(api + "model-versions/create")) { request, _ in
            let body = try await Self.body(request)
            let version = self.lock.withLock { () -> Int in
                let version = self.versions.count + 1
                self.versions.append(
                    (
                        body["name"] as? String ?? "", version, body["source"] as? String ?? "",
                        body["run_id"] as? String ?? ""
                    ))
                return version
            }
            return Self.json(
                .ok,
                [
                    "model_version": [
                        "name": body["name"] ?? "", "version": String(version), "source": body["source"] ?? ""
                    ]
                ])
        }
        router.post(.init(api + "registered-models/alias")) { request, _ in
            let body = try await Self.body(request)
            self.lock.withLock { self.aliases[body["alias"] as? String ?? ""] = Int(body["version"] as? String ?? "") }
            return Self.json(.ok, [:] as [String: Any])
        }
        return router
    }

    static func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 24)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any]) ?? [:]
    }

    func withServer<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        try await withLocalServer(router(), label: "fake-mlflow", body)
    }

    struct TokenCheck: RouterMiddleware {
        let fake: FakeMLflow
        func handle(
            _ request: Request, context: BasicRequestContext,
            next: (Request, BasicRequestContext) async throws -> Response
        ) async throws -> Response {
            if let token = fake.with({ $0.requireToken }), request.headers[.authorization] != "Bearer \(token)" {
                return FakeMLflow.json(.unauthorized, ["error_code": "UNAUTHENTICATED", "message": "bad token"])
            }
            return try await next(request, context)
        }
    }
}
