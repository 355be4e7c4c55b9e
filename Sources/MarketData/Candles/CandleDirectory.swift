import Foundation

/// A directory of candle files users already have, scanned recursively: our CSV, the exchange's
/// kline CSV and its monthly and daily zip archives, freqtrade's JSON. A file's symbol and
/// timeframe come from its name (`CandleFile.naming`), its layout from its bytes. The scan refuses
/// a file named against the rules, so that a file meant as candles is never silently left out.
public struct CandleDirectory: Sendable {
    public let root: String
    public let formats: Set<CandleFormat>
    public private(set) var files: [CandleFile]
    /// Files skipped: clearly not candles (READMEs, `.CHECKSUM`s, notes), or of a format not asked
    /// for. Hidden files and folders are skipped without being listed.
    public private(set) var ignored: [String]

    public init(root: String, formats: Set<CandleFormat> = Set(CandleFormat.allCases)) throws {
        self.root = root
        self.formats = formats
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw MarketDataError.invalidData("\(root): no such candle directory")
        }
        guard isDirectory.boolValue else {
            throw MarketDataError.invalidData(
                "\(root): not a directory; name the directory that holds the candle files")
        }
        let url = URL(fileURLWithPath: root, isDirectory: true)
        var failure: String?
        guard
            let walk = FileManager.default.enumerator(
                at: url, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
                options: [.skipsHiddenFiles],
                errorHandler: { failed, error in
                    failure = "\(failed.path): \(error.localizedDescription)"
                    return false
                })
        else {
            throw MarketDataError.invalidData("\(root): cannot read the candle directory")
        }
        var paths: [String] = []
        for case let item as URL in walk {
            guard (try? item.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            paths.append(item.path)
        }
        if let failure { throw MarketDataError.invalidData("cannot read the candle directory \(root): \(failure)") }
        var files: [CandleFile] = []
        var ignored: [String] = []
        for path in paths.sorted() {
            let name = URL(fileURLWithPath: path).lastPathComponent
            switch CandleFile.naming(name) {
            case .ignored:
                ignored.append(path)
            case let .refused(message):
                guard Self.wanted(name, formats) else {
                    ignored.append(path)
                    continue
                }
                throw MarketDataError.invalidData("\(path): \(message)")
            case let .candles(symbol, timeframe, format):
                var format = format
                if format == .csv { format = CandleCSVParser.format(ofHead: try CandleBytes.head(path: path)) }
                guard formats.contains(format) else {
                    ignored.append(path)
                    continue
                }
                files.append(CandleFile(path: path, symbol: symbol, timeframe: timeframe, format: format))
            }
        }
        self.files = files
        self.ignored = ignored
    }

    /// Whether a refused name is of a kind the caller asked for: a directory read for archives
    /// only passes over a stray CSV rather than refusing it.
    private static func wanted(_ name: String, _ formats: Set<CandleFormat>) -> Bool {
        let lower = name.lowercased()
        if lower.hasSuffix(".csv") { return formats.contains(.csv) || formats.contains(.exchangeCSV) }
        if lower.hasSuffix(".zip") { return formats.contains(.exchangeArchive) }
        if lower.hasSuffix(".json") || lower.hasSuffix(".feather") || lower.hasSuffix(".parquet")
            || lower.hasSuffix(".json.gz") || lower.hasSuffix(".jsongz")
        {
            return formats.contains(.freqtradeJSON)
        }
        return formats.count > 1 || formats.contains(.csv)
    }

    /// Sorted.
    public var symbols: [String] { Set(files.map(\.symbol)).sorted() }

    /// Refuses the first of `wanted` that has no file here, naming it and the symbols there are.
    public func require(_ wanted: [String]) throws {
        let held = Set(symbols)
        if let missing = wanted.first(where: { !held.contains($0.uppercased()) }) {
            throw MarketDataError.invalidData(
                "\(missing) has no candle file in \(root) (symbols there: \(symbols.isEmpty ? "none" : symbols.joined(separator: ", ")))"
            )
        }
    }

    /// Sorted by length.
    public func timeframes(of symbol: String) -> [Timeframe] {
        let symbol = symbol.uppercased()
        return Set(files.filter { $0.symbol == symbol }.map(\.timeframe)).sorted { $0.milliseconds < $1.milliseconds }
    }

    public func load(symbol: String, timeframe: Timeframe) throws -> CandleLoad {
        let symbol = symbol.uppercased()
        let matching = files.filter { $0.symbol == symbol && $0.timeframe == timeframe }
        guard !matching.isEmpty else {
            let held = timeframes(of: symbol)
            throw MarketDataError.invalidData(
                "\(symbol) \(timeframe): no candle file in \(root)"
                    + (held.isEmpty
                        ? " (symbols there: \(symbols.isEmpty ? "none" : symbols.joined(separator: ", ")))"
                        : " (its timeframes there: \(held.map(\.rawValue).joined(separator: ", ")))"))
        }
        var load = CandleLoad(symbol: symbol, timeframe: timeframe, files: matching)
        var parts: [CandleRows] = []
        for file in matching {
            switch file.format {
            case .csv, .exchangeCSV:
                parts.append(
                    try CandleCSVParser.parse(
                        try CandleBytes.read(path: file.path), name: file.path, timeframe: timeframe))
            case .exchangeArchive:
                let (rows, checksum) = try ExchangeArchive.read(path: file.path, timeframe: timeframe)
                parts.append(rows)
                if checksum == .verified { load.checksumsVerified += 1 } else { load.checksumsMissing += 1 }
            case .freqtradeJSON:
                parts.append(try FreqtradeCandles.read(path: file.path, timeframe: timeframe))
            }
        }
        try load.merge(parts)
        return load
    }
}
