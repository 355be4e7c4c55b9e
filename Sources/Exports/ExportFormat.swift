/// What an export is written as.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// ZSTD-compressed, one file per table (`ParquetWriter`).
    case parquet
    /// A header row, times as epoch ms, doubles in their shortest round-trip form, NULL as an
    /// empty field; bars keep `BarCSV`'s layout, one file per symbol, which `ingest --source csv` reads.
    case csv

    public var fileExtension: String { rawValue }
}
