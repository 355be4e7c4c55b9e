import Foundation
import HTTPTypes
import Logging
import ModelFormat
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
@testable import ScoringServer
import TestSupport
import Testing

/// The requests answered in the pipeline (`EventLoopRoutes`) answer as the router does, keep their
/// order among the router's answers, and keep a connection alive as the router's do.
@Suite(.serialized)
struct EventLoopRoutesTests {
    struct Answer: Equatable {
        var status: String
        /// In order, without `Date` (the second may turn between two answers).
        var headers: [String]
        var body: String
    }

    /// The answers in `bytes`, each delimited by its Content-Length.
    static func answers(_ bytes: [UInt8]) -> [Answer] {
        var answers: [Answer] = []
        var rest = bytes[...]
        while let split = rest.firstRange(of: Array("\r\n\r\n".utf8)) {
            let lines = String(decoding: rest[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let headers = lines.dropFirst().filter { !$0.lowercased().hasPrefix("date:") }
            let length =
                headers.first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let end = min(split.upperBound + length, rest.endIndex)
            answers.append(
                Answer(
                    status: lines[0], headers: Array(headers),
                    body: String(decoding: rest[split.upperBound..<end], as: UTF8.self)))
            rest = rest[end...]
        }
        return answers
    }

    /// Reads until `count` whole answers have arrived (or 10 s have passed), and whether the
    /// connection closed.
    static func read(_ count: Int, from socket: RawConnection) -> (answers: [Answer], closed: Bool) {
        var bytes: [UInt8] = []
        let started = Date()
        while Date().timeIntervalSince(started) < 10 {
            let answers = Self.answers(bytes)
            if answers.count >= count, answers.last.map({ $0.body.utf8.count == Self.declaredLength($0) }) ?? true {
                return (answers, false)
            }
            let chunk = socket.read(for: 0.05)
            bytes += chunk.bytes
            if chunk.closed { return (Self.answers(bytes), true) }
        }
        return (Self.answers(bytes), false)
    }

    static func declaredLength(_ answer: Answer) -> Int {
        answer.headers.first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    static let row = #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0]]}}"#

    static func invocation(_ body: String = row, extra: String = "", query: String = "") -> String {
        "POST /invocations\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static let ping = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// A query string sends the same request through the router (which routes by the path alone):
    /// the two answers must be the same bytes (but the date), both counted, and the first of each
    /// pair answered in the pipeline (a keep-alive header does not stop it).
    @Test func answersAreTheRoutersByteForByte() async throws {
        try await ServerTests.withServer { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            func infer(_ path: String) -> String {
                let body = InferenceProtocolTests.body
                return
                    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            let pairs = [
                (Self.invocation(extra: "Connection: Keep-Alive\r\n"), Self.invocation(query: "?via=router")),
                (Self.ping, "GET /ping?via=router HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
                (infer("/v2/models/router/infer"), infer("/v2/models/router/infer?via=router")),
                (infer("/v2/models/router/versions/1/infer"), infer("/v2/models/router/infer?via=router"))
            ]
            for (onLoop, viaRouter) in pairs {
                socket.send(onLoop)
                let first = Self.read(1, from: socket).answers
                socket.send(viaRouter)
                let second = Self.read(1, from: socket).answers
                #expect(first.count == 1 && first == second, "\(first) vs \(second)")
                #expect(first.first?.status == "HTTP/1.1 200 OK")
            }
            socket.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let metrics = Self.read(1, from: socket).answers.first?.body ?? ""
            #expect(metrics.contains(#"mntrading_requests_total{path="/invocations",status="200"} 2"#))
            #expect(metrics.contains(#"mntrading_requests_total{path="/ping",status="200"} 2"#))
            #expect(metrics.contains(#"mntrading_requests_total{path="/v2/infer",status="200"} 4"#))
            #expect(metrics.contains("mntrading_invocation_seconds_count 2"))
            #expect(metrics.contains("mntrading_pipeline_answers_total 4"), "\(metrics)")
        }
    }

    /// Which requests the pipeline answers, seen in a pipeline of its own: the routes clients call
    /// in a loop are answered there (nothing reaches the router); the rest passes on untouched.
    @Test func theLoopRoutesAreAnsweredInThePipelineAndTheRestPassesOn() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixture.writeVersion(ModelStore(root: root))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try ScoringService(
            configuration: ServerConfiguration(modelURI: "models:/router/1", modelsDirectory: root), logger: logger)
        let v2 = InferenceProtocolTests.body, split = Self.row
        let cases: [(HTTPRequest.Method, String, [HTTPField.Name: String], String, Bool)] = [
            (.get, "/ping", [:], "", true),
            (.post, "/invocations", [.contentType: "application/json"], split, true),
            (.post, "/invocations", [.contentType: "application/json", .connection: "keep-alive"], split, true),
            (.post, "/v2/models/router/infer", [.contentType: "application/json"], v2, true),
            (.post, "/v2/models/router/versions/1/infer", [.contentType: "application/json"], v2, true),
            // The router's: another version, binary tensors, a Content-Type to check, another route, a refusal.
            (.post, "/v2/models/router/versions/2/infer", [.contentType: "application/json"], v2, false),
            (
                .post, "/v2/models/router/infer",
                [.contentType: "application/json", ScoringService.inferenceHeaderLength: "3"], v2, false
            ),
            (.post, "/invocations", [.contentType: "application/json; charset=utf-8"], split, false),
            (.get, "/metadata", [:], "", false),
            (.post, "/invocations", [.contentType: "application/json", .connection: "close"], split, false),
            (
                .post, "/invocations", [.contentType: "application/json"], String(repeating: " ", count: 4100) + split,
                false
            ),
            (
                .post, "/invocations", [.contentType: "application/json"],
                split.replacingOccurrences(of: "P1__X", with: "NOPE"), false
            )
        ]
        // A client that does not read its answers: the socket is not writable, and requests go to
        // the router, whose writes wait for the socket.
        let stalled = cases.map { ($0.0, $0.1, $0.2, $0.3, false, false) }
        for (method, path, fields, body, answered, writable) in cases.map({ ($0.0, $0.1, $0.2, $0.3, $0.4, true) })
            + stalled
        {
            let channel = EmbeddedChannel(
                handler: EventLoopRoutes(serverName: "test", maximumBody: 4096, answer: service.answerOnLoop))
            channel.isWritable = writable
            var headers = HTTPFields()
            for (name, value) in fields { headers[name] = value }
            if method == .post { headers[.contentLength] = String(body.utf8.count) }
            let head = HTTPRequest(
                method: method, scheme: nil, authority: "127.0.0.1", path: path, headerFields: headers)
            // One read, as a request that arrived whole.
            channel.pipeline.fireChannelRead(HTTPRequestPart.head(head))
            if !body.isEmpty { channel.pipeline.fireChannelRead(HTTPRequestPart.body(ByteBuffer(string: body))) }
            channel.pipeline.fireChannelRead(HTTPRequestPart.end(nil))
            channel.pipeline.fireChannelReadComplete()
            let written = try channel.readOutbound(as: HTTPResponsePart.self)
            var forwarded: [HTTPRequestPart] = []
            while let part = try channel.readInbound(as: HTTPRequestPart.self) { forwarded.append(part) }
            if answered {
                guard case let .head(response) = written else {
                    Issue.record("\(path): no answer in the pipeline")
                    continue
                }
                #expect(response.status == .ok && forwarded.isEmpty, "\(path)")
            } else {
                // The whole request, unchanged and in order.
                #expect(written == nil, "\(path) was answered in the pipeline")
                let sent: [HTTPRequestPart] =
                    [.head(head)] + (body.isEmpty ? [] : [.body(ByteBuffer(string: body))]) + [.end(nil)]
                #expect(forwarded == sent, "\(path)")
            }
            _ = try channel.finish()
        }
    }

    /// Requests sent together, the first one the router's: the answers leave in the requests' order.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await ServerTests.withServer { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            let unknownPair = Self.row.replacingOccurrences(of: "P1__X", with: "NOPE__X")
            socket.send(
                "GET /metadata HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Self.invocation() + Self.ping
                    + Self.invocation(unknownPair) + Self.ping)
            let answers = Self.read(5, from: socket).answers
            #expect(
                answers.map(\.status) == [
                    "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request",
                    "HTTP/1.1 200 OK"
                ])
            guard answers.count == 5 else { return }
            #expect(answers[0].body.contains("feature_columns"))
            #expect(answers[1].body.hasPrefix(#"{"predictions":[{"model_version":1,"pair":"P1__X""#))
            #expect(answers[2].body == "\n" && answers[4].body == "\n")
            #expect(answers[3].body.contains("unknown pair 'NOPE__X'"))
        }
    }

    /// A connection that only sends requests answered in the pipeline is active, not idle; once
    /// it falls silent, the idle timeout closes it.
    @Test func aConnectionBusyWithPipelineAnswersOutlivesTheIdleTimeout() async throws {
        try await ServerTests.withServer(idleTimeout: 0.5) { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            let started = Date()
            var answered = 0
            while Date().timeIntervalSince(started) < 1.6 {
                socket.send(answered % 2 == 0 ? Self.ping : Self.invocation())
                let answer = Self.read(1, from: socket)
                #expect(!answer.closed, "closed after \(Date().timeIntervalSince(started)) s of requests")
                if answer.closed { return }
                answered += answer.answers.filter { $0.status == "HTTP/1.1 200 OK" }.count
                Thread.sleep(forTimeInterval: 0.15)
            }
            #expect(answered >= 6)
            let silence = Date()
            #expect(socket.read(for: 3).closed)
            #expect(Date().timeIntervalSince(silence) < 2)
        }
    }

    /// A small body over the server's limit is the router's to refuse, not the pipeline's to score.
    @Test func theBodyLimitHoldsForSmallBodiesToo() async throws {
        let rows = Array(repeating: #"["P1__X", 2.0, 0]"#, count: 12).joined(separator: ", ")
        let body = #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [\#(rows)]}}"#
        try await ServerTests.withServer(maxBodyBytes: 200) { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            socket.send(Self.invocation(body))
            let answers = Self.read(1, from: socket).answers
            #expect(body.utf8.count > 200 && answers.first?.status.hasPrefix("HTTP/1.1 413 ") == true, "\(answers)")
        }
    }

    /// A body that arrives in pieces goes to the router, which waits for the rest.
    @Test func aBodyInPiecesIsAnsweredToo() async throws {
        try await ServerTests.withServer { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            let request = Array(Self.invocation().utf8)
            socket.send(Array(request[..<(request.count - 20)]))
            #expect(socket.read(for: 0.2).bytes.isEmpty)
            socket.send(Array(request[(request.count - 20)...]))
            let answers = Self.read(1, from: socket).answers
            #expect(answers.map(\.status) == ["HTTP/1.1 200 OK"] && answers.first?.body.contains("P1__X") == true)
        }
    }

    /// A client that sends a request and half-closes still gets the answer, then the close.
    @Test func aHalfClosedClientGetsItsAnswer() async throws {
        try await ServerTests.withServer { base in
            let socket = try RawConnection(port: ConnectionTests.port(base))
            socket.send(Self.invocation() + Self.ping)
            socket.shutdownWrite()
            let answer = socket.read(for: 5)
            #expect(Self.answers(answer.bytes).map(\.status) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
            #expect(answer.closed)
        }
    }
}
