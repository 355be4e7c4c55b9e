import CZstd

/// One libzstd compression context, reused for every page of a column chunk (a context per call
/// would allocate its tables each time). Not shared between threads.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) throws {
        guard let context = ZSTD_createCCtx() else { throw ParquetError("libzstd could not allocate a context") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Writes the compressed form of `input` (one zstd frame, as Parquet's ZSTD codec is) at the
    /// start of `out`, growing it when needed, and returns its length.
    func compress(_ input: [UInt8], into out: inout [UInt8]) throws -> Int {
        let bound = ZSTD_compressBound(input.count)
        if out.count < bound { out = [UInt8](repeating: 0, count: bound) }
        let written = input.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { destination in
                ZSTD_compressCCtx(
                    context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw ParquetError("zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        return written
    }
}
