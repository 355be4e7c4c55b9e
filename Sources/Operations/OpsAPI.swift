import Foundation

/// The JSON API's operations, from which `/openapi.json` is written; a test calls each one and
/// checks that it answers with a status the document lists.
enum OpsAPI {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        /// Status → what it means.
        var responses: [Int: String]
        /// The JSON body a POST takes, as an OpenAPI schema.
        var body: [String: Any]? = nil
        var writes = false
    }

    static let nothingYet = "nothing yet: the artifact does not exist in this data directory"

    static var operations: [Operation] {
        [
            Operation(
                method: "get", path: "/health",
                summary: "Liveness, version, the running task and whether writes are enabled", responses: [200: "ok"]),
            Operation(
                method: "get", path: "/api/tasks", summary: "Tasks since the server started, newest first",
                responses: [200: "the tasks"]),
            Operation(
                method: "post", path: "/api/tasks",
                summary: "Start a background task (pipeline or cycle) with the settings of its command",
                responses: [
                    202: "started", 400: "unknown kind or bad settings (the command's own validation)",
                    401: "token missing or wrong",
                    403: "read-only server, or a request from another origin",
                    409: "a task or a command-line run of the same kind is running",
                    415: "not JSON"
                ],
                body: [
                    "type": "object", "required": ["kind"],
                    "properties": [
                        "kind": ["type": "string", "enum": ["pipeline", "cycle"]],
                        "settings": [
                            "type": "object",
                            "description": "flag name (top_k for --top-k) → value; true/false for flags",
                            "additionalProperties": [
                                "oneOf": [["type": "string"], ["type": "number"], ["type": "boolean"]]
                            ]
                        ]
                    ]
                ], writes: true),
            Operation(
                method: "get", path: "/api/tasks/{id}", summary: "A task and its log lines (from=N: from line N)",
                responses: [200: "the task and its log", 404: "unknown task"]),
            Operation(
                method: "post", path: "/api/tasks/{id}/cancel",
                summary:
                    "Stop a running task: SIGTERM (the program stops after the unit in progress), SIGKILL 20 s later if it has not",
                responses: [
                    202: "asked to stop (the task as it was)", 401: "token missing or wrong",
                    403: "read-only server, or a request from another origin",
                    404: "unknown task", 409: "the task is not running", 415: "not JSON"
                ], writes: true),
            Operation(
                method: "get", path: "/api/tasks/{id}/events",
                summary: "The task's log as server-sent events, then an 'end' event with the task",
                responses: [200: "text/event-stream", 404: "unknown task"]),
            Operation(
                method: "get", path: "/api/pairs", summary: "The latest screen (screened pairs)",
                responses: [200: "the screen's file", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/training", summary: "The latest training report",
                responses: [200: "training/report.json", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/selection", summary: "The latest selection",
                responses: [200: "training/selection.json", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/signals", summary: "The latest signals",
                responses: [200: "the signals of the newest bar", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/orders", summary: "The latest orders (JSON)",
                responses: [200: "portfolio/latest_orders.json", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/orders.csv", summary: "The latest orders (CSV)",
                responses: [200: "text/csv", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/report", summary: "The latest report's summary",
                responses: [200: "summary.json", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/ledger",
                summary:
                    "The paper ledger: state (pairs, positions, statuses), P&L by pair and model version, equity since deployment",
                responses: [200: "the ledger", 404: nothingYet]),
            Operation(
                method: "get", path: "/api/ledger/fills.csv",
                summary: "The ledger's newest fills as CSV (limit=N, default 10000)", responses: [200: "text/csv"]),
            Operation(
                method: "post", path: "/api/ledger/enable",
                summary: "Re-enable a stopped or degraded pair, or every one and the portfolio",
                responses: [
                    200: "the pairs re-enabled", 400: "no pair, an unknown pair, or no ledger",
                    401: "token missing or wrong",
                    403: "read-only server, or a request from another origin", 409: "an inference cycle is running",
                    415: "not JSON"
                ],
                body: ["type": "object", "properties": ["pair": ["type": "string"], "all": ["type": "boolean"]]],
                writes: true),
            Operation(
                method: "get", path: "/metrics",
                summary: "Prometheus metrics of the paper ledger: equity, drawdown, per-pair P&L, position and state",
                responses: [200: "text/plain (Prometheus exposition format)"]),
            Operation(
                method: "get", path: "/api/models", summary: "The model's versions, aliases and alias history",
                responses: [200: "versions and aliases"]),
            Operation(
                method: "post", path: "/api/models/{name}/aliases/{alias}",
                summary: "Promote: point the alias at a version (checked as the server loads it)",
                responses: [
                    200: "moved", 400: "bad version or one that would not load", 401: "token missing or wrong",
                    403: "read-only server, or a request from another origin", 404: "unknown model", 415: "not JSON"
                ],
                body: ["type": "object", "required": ["version"], "properties": ["version": ["type": "integer"]]],
                writes: true),
            Operation(
                method: "post", path: "/api/models/{name}/aliases/{alias}/rollback",
                summary: "Roll back: point the alias at the version it pointed at before",
                responses: [
                    200: "moved back", 400: "no earlier version", 401: "token missing or wrong",
                    403: "read-only server, or a request from another origin", 404: "unknown model", 415: "not JSON"
                ], writes: true)
        ]
    }

    static func document(version: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            var entry: [String: Any] = [
                "summary": operation.summary,
                "responses": Dictionary(
                    uniqueKeysWithValues: operation.responses.map { (String($0.key), ["description": $0.value]) })
            ]
            let parameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                name -> [String: Any] in
                [
                    "name": String(name.dropFirst().dropLast()), "in": "path", "required": true,
                    "schema": ["type": "string"]
                ]
            }
            if !parameters.isEmpty { entry["parameters"] = parameters }
            if let body = operation.body {
                entry["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
            }
            if operation.writes { entry["security"] = [["bearer": [String]()]] }
            paths[operation.path, default: [:]][operation.method] = entry
        }
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": [
                "title": "mntrading operations API", "version": version,
                "description":
                    "Run the pipeline or an inference cycle, follow its log, read the latest artifacts, promote and roll back model versions."
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer",
                        "description":
                            "\(OpsConfiguration.tokenVariable); required for writes when the server listens beyond loopback"
                    ]
                ]
            ]
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }
}
