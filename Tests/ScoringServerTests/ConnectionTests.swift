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
    /// A plain socket, so that a test can send any bytes at any pace.
    final class RawConnection {
        let socket: Int32

        init(port: UInt16) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard socket >= 0, connected == 0 else { throw ScoringError(errorCode: "TEST", message: "connect() failed") }
        }

        deinit { close(socket) }

        func send(_ text: String) { send(Array(text.utf8)) }

        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
            }
        }

        func shutdownWrite() { shutdown(socket, Int32(SHUT_WR)) }

        /// Everything the server sends within `seconds`, and whether it closed the connection.
        func read(for seconds: Double) -> (text: String, bytes: [UInt8], closed: Bool) {
            var patience = timeval(tv_sec: 0, tv_usec: 50_000)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
            let deadline = Date().addingTimeInterval(seconds)
            var answer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while Date() < deadline {
                let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                if count == 0 { return (String(decoding: answer, as: UTF8.self), answer, true) }
                if count > 0 { answer += chunk[0..<count] }
                if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return (String(decoding: answer, as: UTF8.self), answer, true) }
            }
            return (String(decoding: answer, as: UTF8.self), answer, false)
        }
    }

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
            socket.send("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            socket.send("1000\r\n" + String(repeating: " ", count: 4096) + "\r\n")
            let answer = socket.read(for: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(80))")
            #expect(answer.closed)
        }
    }

    @Test func aChunkSizeThatIsNotHexIs400InMLflowsShape() async throws {
        try await ServerTests.withServer() { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
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
        "Content-Type: application/\u{01}json\r\nContent-Length: 5\r\n",
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
                if socket.read(for: 0.05).closed { closed = true; break }
                if Date().timeIntervalSince(started) > 4 { break }
            }
            if !closed { closed = socket.read(for: 1).closed }
            #expect(closed, "a trickled head held its connection for \(Date().timeIntervalSince(started)) s")
            #expect(Date().timeIntervalSince(started) < 2)
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
        let data = (0..<rows).map { index in index % 2 == 0 ? #"["P1__X", 2.0, 0]"# : #"["P2__Y", -1.5, 0.25]"# }.joined(separator: ",")
        let body = Array(#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [\#(data)]}}"#.utf8)
        try await ServerTests.withServer(maxBodyBytes: 20 << 20) { base in
            let socket = try RawConnection(port: Self.port(base))
            socket.send(Self.head(length: body.count, connection: "close"))
            socket.send(body)
            if ProcessInfo.processInfo.environment["NO_HALF_CLOSE"] == nil { socket.shutdownWrite() }
            let answer = socket.read(for: 20)
            #expect(answer.closed)
            guard let split = answer.bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { Issue.record("no head"); return }
            let head = String(decoding: answer.bytes[..<split.lowerBound], as: UTF8.self)
            let payload = Array(answer.bytes[split.upperBound...])
            let declared = head.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
            #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
            #expect(payload.count > 9_000_000 && declared == payload.count, "declared \(declared ?? -1), received \(payload.count)")
            let decoded = try Prediction.Answer.decoder().decode(Prediction.Answer.self, from: Data(payload))
            #expect(decoded.predictions.count == rows)
        }
    }
}
