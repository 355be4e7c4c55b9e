import Foundation

/// A whole file as bytes with one NUL after them, which lets the parsers hand numbers to `strtod`
/// in place: reading into `[UInt8]` directly avoids `Data`'s extra copy on a multi-megabyte file.
enum CandleBytes {
    static func read(path: String) throws -> [UInt8] {
        try withOpenFile(path) { descriptor in
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw failure(path) }
            guard (status.st_mode & S_IFMT) == S_IFREG else {
                throw MarketDataError.invalidData("cannot read '\(path)': not a regular file")
            }
            // A file that grows while it is read is read up to its size at the open.
            return try contents(of: descriptor, limit: Int(status.st_size), terminated: true, path: path)
        }
    }

    /// The first `limit` bytes at most, for telling a file's layout without reading it whole.
    static func head(path: String, limit: Int = 4096) throws -> [UInt8] {
        try withOpenFile(path) { try contents(of: $0, limit: limit, terminated: false, path: path) }
    }

    private static func withOpenFile<T>(_ path: String, _ body: (Int32) throws -> T) throws -> T {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        return try body(descriptor)
    }

    private static func contents(of descriptor: Int32, limit: Int, terminated: Bool, path: String) throws -> [UInt8] {
        var readError: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: limit + 1) { buffer, count in
            var filled = 0
            while filled < limit {
                let got = Foundation.read(descriptor, buffer.baseAddress! + filled, limit - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    break
                }
                if got == 0 { break }
                filled += got
            }
            buffer[filled] = 0
            count = terminated ? filled + 1 : filled
        }
        if readError != 0 { throw failure(path, code: readError) }
        return bytes
    }

    private static func failure(_ path: String, code: Int32 = errno) -> MarketDataError {
        .invalidData("cannot read '\(path)': \(String(cString: strerror(code)))")
    }
}
