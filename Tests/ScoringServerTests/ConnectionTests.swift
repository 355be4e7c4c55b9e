import Foundation
import Glibc
import ModelFormat
import Scoring
@testable import ScoringServer
import TestSupport
import Testing

/// The connection life cycle under clients that misbehave: every refused request closes its
/// connection, nothing waits forever for bytes that do not come, and answers of any size arrive
/// whole, also to a client that half-closes.
@Suite(.serialized)
struct ConnectionTests {
    static func port(_ base: String) -> UInt16 { UInt16(base.split(separator: ":").last!)! }

    static func head(length: Int, connection: String = "keep-alive") -> String {
        "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\nConnection: \(connection)\r\n\r\n"
    }

    @Test(arguments: ["close", "keep-alive"])
    func anOversizedBodyIsRefusedAtOnceAndItsConnectionClosed(connection: String) async throws {
        try await ServerTests.withServer(maxBodyBytes: 2_000) { base in
            let socket = try RawConnection(port: Self.port(base))
            // Only the head and a little of the 50 kB body: the refusal must not wait for the rest.
            socket.send(Self.head(length: 50_000, connection: connection) + String(repeating: " ", count: 100))
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(80))")
            #expect(answer.text.contains("larger than 2000 bytes"))
            #expect(answer.closed, "the connection of a refused request stays open")
        }
    }

    @Test func aBodyThatGrowsPastTheLimitWhileReadIsRefusedAndClosed() async throws {
        try await ServerTests.withServer(maxBodyBytes: 2_000) { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send(
                "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            socket.send("1000\r\n" + String(repeating: " ", count: 4096) + "\r\n")
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(80))")
            #expect(answer.closed)
        }
    }

    @Test func aChunkSizeThatIsNotHexIs400InMLflowsShape() async throws {
        try await ServerTests.withServer() { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send(
                "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
            )
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 400"), "\(answer.text.prefix(120))")
            #expect(answer.text.contains(#""error_code":"BAD_REQUEST""#), "\(answer.text)")
            #expect(answer.closed)
            #expect(try ServerTests.client().get(base + "/ping").status == 200)
        }
    }

    @Test(arguments: [
        "Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Type: application/\u{01}json\r\nContent-Length: 5\r\n"
    ])
    func aHeadTheParserRefusesIs400InMLflowsShapeAndClosed(headers: String) async throws {
        try await ServerTests.withServer() { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n{\"a\"}")
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 400"), "\(answer.text.prefix(120))")
            #expect(answer.text.contains(#""error_code": "BAD_REQUEST""#), "\(answer.text)")
            #expect(answer.text.lowercased().contains("content-type: application/json"))
            #expect(answer.closed)
        }
    }

    @Test func aSilentConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await ServerTests.withServer(idleTimeout: 0.3) { base in
            let socket = try RawConnection(port: Self.port(base))
            let answer = socket.read(for: 10)
            #expect(answer.closed && answer.text.isEmpty)
        }
    }

    @Test func aHeadTrickledPastTheHeaderTimeoutIsClosed() async throws {
        try await ServerTests.withServer(idleTimeout: 30, headerTimeout: 0.4) { base in
            let socket = try RawConnection(port: Self.port(base))
            let started = Date()
            var closed = false
            for byte in "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8 {
                socket.send([byte])
                if socket.read(for: 0.05).closed {
                    closed = true
                    break
                }
                if Date().timeIntervalSince(started) > 4 { break }
            }
            if !closed { closed = socket.read(for: 1).closed }
            #expect(closed, "a trickled head held its connection for \(Date().timeIntervalSince(started)) s")
            #expect(Date().timeIntervalSince(started) < 2)
        }
    }

    /// A keep-alive connection's later request gets its own full header time, counted from its own
    /// first byte, not from the first request's, and is still cut off when its head stalls.
    @Test func eachRequestOnAKeepAliveConnectionHasItsOwnHeaderTime() async throws {
        try await ServerTests.withServer(idleTimeout: 30, headerTimeout: 0.6) { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let first = socket.read(for: 0.3)
            #expect(first.text.hasPrefix("HTTP/1.1 200") && !first.closed, "\(first.text.prefix(80))")
            // Starts 0.3 s after the first request, whose header time ends 0.3 s into this head.
            let started = Date()
            socket.send("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let early = socket.read(for: 0.45)
            #expect(!early.closed, "closed \(Date().timeIntervalSince(started)) s into a head given 0.6 s")
            let late = socket.read(for: 3)
            let elapsed = Date().timeIntervalSince(started)
            #expect(late.closed, "a stalled head on a kept-alive connection held it for \(elapsed) s")
            #expect(elapsed < 2)
        }
    }

    @Test func aBodyTrickledPastTheDeadlineGets504AtTheDeadlineAndIsClosed() async throws {
        try await ServerTests.withServer(timeout: 0.5) { base in
            let socket = try RawConnection(port: Self.port(base))
            let started = Date()
            socket.send(Self.head(length: 1_000))
            var answer = (text: "", bytes: [UInt8](), closed: false)
            while answer.text.isEmpty && Date().timeIntervalSince(started) < 4 {
                socket.send(" ")
                answer = socket.read(for: 0.1)
            }
            #expect(answer.text.hasPrefix("HTTP/1.1 504"), "\(answer.text.prefix(80))")
            #expect(Date().timeIntervalSince(started) < 1.5)
            #expect(answer.closed || socket.read(for: 1).closed)
        }
    }

    /// A client that sends its request and half-closes gets the whole answer, however large.
    @Test func aLargeAnswerArrivesWholeWhenTheClientHalfCloses() async throws {
        let rows = 110_000
        let data = (0..<rows).map { index in index % 2 == 0 ? #"["P1__X", 2.0, 0]"# : #"["P2__Y", -1.5, 0.25]"# }
            .joined(separator: ",")
        let body = Array(#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [\#(data)]}}"#.utf8)
        try await ServerTests.withServer(maxBodyBytes: 20 << 20) { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send(Self.head(length: body.count, connection: "close"))
            socket.send(body)
            socket.shutdownWrite()
            let answer = socket.read(for: 20)
            #expect(answer.closed)
            guard let split = answer.bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
                Issue.record("no head")
                return
            }
            let head = String(decoding: answer.bytes[..<split.lowerBound], as: UTF8.self)
            let payload = Array(answer.bytes[split.upperBound...])
            let declared = head.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
            #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
            #expect(
                payload.count > 9_000_000 && declared == payload.count,
                "declared \(declared ?? -1), received \(payload.count)")
            let decoded = try Prediction.Answer.decoder().decode(Prediction.Answer.self, from: Data(payload))
            #expect(decoded.predictions.count == rows)
        }
    }
}
