import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ModelFormat
import NIOCore
@testable import ScoringServer
import TestSupport
import Testing

/// Routes, methods and Content-Type rules through HummingbirdTesting's in-memory router: no socket,
/// so every rule is checked in milliseconds. `ServerTests` keeps the live checks through libcurl.
struct RoutingTests {
    static func withRouter(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try Fixture.writeVersion(store)
        try store.setAlias("router", alias: "champion", version: 1)
        var logger = Logger(label: "routing-test")
        logger.logLevel = .critical
        let service = try ScoringService(
            configuration: ServerConfiguration(modelURI: "models:/router@champion", modelsDirectory: root),
            logger: logger)
        try await Application(router: service.router()).test(.router) { client in try await body(client) }
    }

    static let split = ByteBuffer(
        string: #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0]]}}"#)

    @Test(arguments: [
        ("/ping", HTTPRequest.Method.get, HTTPResponse.Status.ok),
        ("/health", .get, .ok),
        ("/version", .get, .ok),
        ("/metadata", .get, .ok),
        ("/metrics", .get, .ok),
        ("/ping", .post, .methodNotAllowed),
        ("/invocations", .get, .methodNotAllowed),
        ("/predict", .get, .notFound),
        ("/v1/invocations", .post, .notFound)
    ])
    func everyRouteAnswersAsMLflowsServerDoes(path: String, method: HTTPRequest.Method, status: HTTPResponse.Status)
        async throws
    {
        try await Self.withRouter { client in
            try await client.execute(uri: path, method: method) { response in
                #expect(response.status == status, "\(method) \(path)")
                if status == .notFound { #expect(String(buffer: response.body) == #"{"detail":"Not Found"}"#) }
                if status == .methodNotAllowed { #expect(response.headers[.allow] != nil) }
            }
        }
    }

    @Test(
        arguments: [
            (nil, HTTPResponse.Status.unsupportedMediaType, "only supports the following content types"),
            ("text/plain", .unsupportedMediaType, "only supports the following content types"),
            ("application/json; charset=latin-1", .unsupportedMediaType, "The scoring server only supports UTF-8"),
            ("application/json; format=pandas", .unsupportedMediaType, "Unrecognized content type parameters: format"),
            ("application/json; charset=UTF-8", .ok, "\"predictions\""),
            ("APPLICATION/JSON", .ok, "\"predictions\"")
        ] as [(String?, HTTPResponse.Status, String)])
    func contentTypeRules(contentType: String?, status: HTTPResponse.Status, answer: String) async throws {
        try await Self.withRouter { client in
            var headers = HTTPFields()
            if let contentType { headers[.contentType] = contentType }
            try await client.execute(uri: "/invocations", method: .post, headers: headers, body: Self.split) {
                response in
                #expect(response.status == status, "\(contentType ?? "none")")
                #expect(String(buffer: response.body).contains(answer), "\(String(buffer: response.body))")
            }
        }
    }
}
