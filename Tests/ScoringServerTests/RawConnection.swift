import Foundation
import Glibc
import Scoring

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
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard socket >= 0, connected == 0 else { throw ScoringError(errorCode: "TEST", message: "connect() failed") }
    }

    deinit { close(socket) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
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
            if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                return (String(decoding: answer, as: UTF8.self), answer, true)
            }
        }
        return (String(decoding: answer, as: UTF8.self), answer, false)
    }
}
