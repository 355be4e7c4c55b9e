import COpenSSLCrypto
import Foundation

/// SHA-256 through OpenSSL's EVP one-shot digest (no context to own: `EVP_Digest` makes and frees
/// its own).
enum SHA256Digest {
    /// Lower-case hex, as the exchange's `.CHECKSUM` files write it.
    static func hex(of bytes: UnsafeRawBufferPointer) throws -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { output in
            EVP_Digest(bytes.baseAddress, bytes.count, output.baseAddress, &length, EVP_sha256(), nil)
        }
        guard status == 1, length == 32 else { throw MarketDataError.invalidData("SHA-256 failed in OpenSSL") }
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
