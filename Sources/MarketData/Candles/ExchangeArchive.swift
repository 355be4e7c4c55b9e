import CZip
import Foundation

/// The exchange's monthly and daily kline archives (data.binance.vision): a zip holding one CSV of
/// the exchange's kline layout, with `NAME.zip.CHECKSUM` beside it (`<sha256 hex>  NAME.zip`).
enum ExchangeArchive {
    enum Checksum: Equatable {
        case verified
        case missing
    }

    /// The archive's rows, after its checksum (when there is one) matched the bytes read.
    static func read(path: String, timeframe: Timeframe) throws -> (rows: CandleRows, checksum: Checksum) {
        let bytes = try CandleBytes.read(path: path)
        let length = bytes.count - 1
        let checksum = try verify(path: path, bytes: bytes, length: length)
        // Opened from the bytes just digested, so what is verified is what is read.
        let archive = try bytes.withUnsafeBytes {
            try ZipArchive(bytes: UnsafeRawBufferPointer(rebasing: $0[..<length]), name: path)
        }
        let entries = try archive.entries().filter { !$0.name.hasSuffix("/") }
        let csvs = entries.filter { $0.name.lowercased().hasSuffix(".csv") }
        guard csvs.count == 1, let entry = csvs.first else {
            let listing = entries.isEmpty ? "nothing" : entries.map(\.name).joined(separator: ", ")
            throw MarketDataError.invalidData(
                "\(path): an exchange archive holds one kline CSV; this one holds \(listing)")
        }
        let content = try archive.contents(of: entry, name: path)
        var rows = try CandleCSVParser.parse(content, name: "\(path)/\(entry.name)", timeframe: timeframe)
        rows.format = .exchangeArchive
        return (rows, checksum)
    }

    static func checksumPath(of path: String) -> String { path + ".CHECKSUM" }

    private static func verify(path: String, bytes: [UInt8], length: Int) throws -> Checksum {
        let checksumPath = checksumPath(of: path)
        guard FileManager.default.fileExists(atPath: checksumPath) else { return .missing }
        let text = String(decoding: try CandleBytes.read(path: checksumPath).dropLast(), as: UTF8.self)
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard let expected = fields.first?.lowercased(), expected.count == 64, expected.allSatisfy(\.isHexDigit)
        else {
            throw MarketDataError.invalidData(
                "\(checksumPath):1: not a checksum file: expected '<sha256 hex>  <file name>'")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        if fields.count >= 2, fields[1] != name {
            throw MarketDataError.invalidData(
                "\(checksumPath):1: the checksum is of '\(fields[1])', not of '\(name)' beside it")
        }
        let actual = try bytes.withUnsafeBytes {
            try SHA256Digest.hex(of: UnsafeRawBufferPointer(rebasing: $0[..<length]))
        }
        guard actual == expected else {
            throw MarketDataError.invalidData(
                "\(path): checksum mismatch: the file's SHA-256 is \(actual), \(checksumPath) says \(expected); download the archive again"
            )
        }
        return .verified
    }
}

/// A zip archive opened read-only through libzip, from bytes in memory. Not Sendable: libzip's
/// archive handle is not safe to share between threads, and nothing needs to share it.
final class ZipArchive {
    struct Entry: Equatable {
        var index: UInt64
        var name: String
        var size: UInt64
    }

    private let handle: OpaquePointer

    /// `bytes` are copied into a buffer libzip owns (it frees it with the source), so the archive
    /// does not depend on the caller's buffer living on.
    init(bytes: UnsafeRawBufferPointer, name: String) throws {
        guard let copy = malloc(max(1, bytes.count)) else {
            throw MarketDataError.invalidData("\(name): out of memory opening the archive")
        }
        if let base = bytes.baseAddress { memcpy(copy, base, bytes.count) }
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        guard let source = zip_source_buffer_create(copy, zip_uint64_t(bytes.count), 1, &error) else {
            free(copy)
            throw MarketDataError.invalidData("\(name): \(String(cString: zip_error_strerror(&error)))")
        }
        guard let archive = zip_open_from_source(source, ZIP_RDONLY, &error) else {
            zip_source_free(source)
            throw MarketDataError.invalidData(
                "\(name): not a readable zip archive (\(String(cString: zip_error_strerror(&error))))")
        }
        handle = archive
    }

    deinit { zip_discard(handle) }

    func entries() throws -> [Entry] {
        let count = zip_get_num_entries(handle, 0)
        guard count >= 0 else { return [] }
        var entries: [Entry] = []
        for index in 0..<zip_uint64_t(count) {
            var stat = zip_stat_t()
            zip_stat_init(&stat)
            guard zip_stat_index(handle, index, 0, &stat) == 0, let name = stat.name else { continue }
            entries.append(Entry(index: index, name: String(cString: name), size: stat.size))
        }
        return entries
    }

    /// An entry's bytes with a NUL after them, for the parsers.
    func contents(of entry: Entry, name: String) throws -> [UInt8] {
        let file = try ZipEntryReader(archive: handle, index: entry.index, name: "\(name)/\(entry.name)")
        let size = Int(entry.size)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var read: Int64 = 0
        bytes.withUnsafeMutableBytes { buffer in
            while read < size {
                let got = zip_fread(file.handle, buffer.baseAddress! + Int(read), zip_uint64_t(size - Int(read)))
                if got <= 0 { break }
                read += got
            }
        }
        guard read == Int64(size) else {
            throw MarketDataError.invalidData(
                "\(name)/\(entry.name): read \(read) of its \(size) bytes (\(file.error)); the archive is damaged, download it again"
            )
        }
        return bytes
    }
}

/// One open entry of a `ZipArchive`; borrows the archive's handle, so it lives inside a call of its
/// archive and never beyond it.
private final class ZipEntryReader {
    let handle: OpaquePointer

    init(archive: OpaquePointer, index: UInt64, name: String) throws {
        guard let file = zip_fopen_index(archive, index, 0) else {
            throw MarketDataError.invalidData("\(name): \(String(cString: zip_strerror(archive)))")
        }
        handle = file
    }

    var error: String { String(cString: zip_file_strerror(handle)) }

    deinit { zip_fclose(handle) }
}

/// A zip archive written through libzip: entries are added in memory and written by `close()`.
/// Tests build the exchange's archives with it; dropped without `close()`, nothing is written.
final class ZipWriter {
    private var handle: OpaquePointer?
    private let path: String

    init(path: String) throws {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            throw MarketDataError.invalidData(
                "\(path): cannot create a zip archive: \(String(cString: zip_error_strerror(&error)))")
        }
        handle = archive
        self.path = path
    }

    func add(name: String, bytes: [UInt8]) throws {
        guard let handle else { throw MarketDataError.invalidData("\(path): the archive is already closed") }
        // libzip reads the data at close, so it gets a copy it frees itself.
        guard let copy = malloc(max(1, bytes.count)) else {
            throw MarketDataError.invalidData("\(path): out of memory")
        }
        bytes.withUnsafeBytes { if let base = $0.baseAddress { memcpy(copy, base, $0.count) } }
        guard let source = zip_source_buffer(handle, copy, zip_uint64_t(bytes.count), 1) else {
            free(copy)
            throw MarketDataError.invalidData("\(path): \(String(cString: zip_strerror(handle)))")
        }
        guard zip_file_add(handle, name, source, zip_flags_t(ZIP_FL_OVERWRITE)) >= 0 else {
            zip_source_free(source)
            throw MarketDataError.invalidData("\(path): cannot add \(name): \(String(cString: zip_strerror(handle)))")
        }
    }

    func close() throws {
        guard let archive = handle else { return }
        guard zip_close(archive) == 0 else {
            let message = String(cString: zip_strerror(archive))
            zip_discard(archive)
            handle = nil
            throw MarketDataError.invalidData("\(path): cannot write the zip archive: \(message)")
        }
        handle = nil
    }

    deinit { if let handle { zip_discard(handle) } }
}
