import Foundation

/// What reading one (symbol, timeframe) from a directory gave.
public struct CandleLoad: Sendable {
    public var symbol: String
    public var timeframe: Timeframe
    /// Sorted by open time, unique, each sound (`Bar.defect == nil`).
    public var bars: [Bar]
    public var files: [CandleFile]
    /// Rows read over all files.
    public var received: Int
    /// Identical repeats dropped, within a file and across files (a monthly and a daily archive).
    public var duplicates: Int
    /// Rows found before an earlier row of their file, which were sorted into place.
    public var unsorted: Int
    public var checksumsVerified: Int
    public var checksumsMissing: Int

    public init(
        symbol: String, timeframe: Timeframe, bars: [Bar] = [], files: [CandleFile] = [], received: Int = 0,
        duplicates: Int = 0, unsorted: Int = 0, checksumsVerified: Int = 0, checksumsMissing: Int = 0
    ) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
        self.files = files
        self.received = received
        self.duplicates = duplicates
        self.unsorted = unsorted
        self.checksumsVerified = checksumsVerified
        self.checksumsMissing = checksumsMissing
    }
}

extension CandleLoad {
    /// Merges files' rows into one sorted series. An open time seen twice with the same bar is
    /// one bar; with a different bar it is a conflict that refuses the lot, naming both places:
    /// which of two disagreeing files is right is not this reader's to guess.
    mutating func merge(_ parts: [CandleRows]) throws {
        // Files in the order of their first bars, so that the usual case (months that do not
        // overlap) is already sorted and needs no sort.
        let ordered = parts.filter { !$0.bars.isEmpty }
            .map { part in (first: part.bars.lazy.map(\.openTime).min() ?? 0, part: part) }
            .sorted { $0.first < $1.first }.map(\.part)
        received += parts.reduce(0) { $0 + $1.bars.count }
        unsorted += parts.reduce(0) { $0 + $1.unsorted }
        var all: [Bar] = []
        all.reserveCapacity(received)
        var starts: [Int] = []
        for part in ordered {
            starts.append(all.count)
            all.append(contentsOf: part.bars)
        }
        func location(_ flat: Int) -> String {
            var part = starts.count - 1
            while starts[part] > flat { part -= 1 }
            return ordered[part].location(ofRow: flat - starts[part])
        }
        var sorted = true
        if all.count > 1 {
            for index in 1..<all.count where all[index].openTime < all[index - 1].openTime {
                sorted = false
                break
            }
        }
        var order: [Int] = []
        if !sorted {
            order = Array(all.indices)
            order.sort { all[$0].openTime != all[$1].openTime ? all[$0].openTime < all[$1].openTime : $0 < $1 }
        }
        // Sorted input is compacted in place: a few years of 1m bars are hundreds of megabytes.
        var output: [Bar] = []
        if sorted { swap(&output, &all) } else { output.reserveCapacity(all.count) }
        let total = sorted ? output.count : all.count
        var kept = 0
        var keptFrom = -1
        for step in 0..<total {
            let flat = sorted ? step : order[step]
            let bar = sorted ? output[step] : all[flat]
            if kept > 0, output[kept - 1].openTime == bar.openTime {
                let last = output[kept - 1]
                guard Self.same(last, bar) else {
                    throw MarketDataError.invalidData(
                        "\(location(flat)): the bar opening at \(UTCTime.format(bar.openTime)) conflicts with \(location(keptFrom)): \(Self.describe(bar)) against \(Self.describe(last)); remove one of the two"
                    )
                }
                duplicates += 1
                continue
            }
            if sorted { output[kept] = bar } else { output.append(bar) }
            kept += 1
            keptFrom = flat
        }
        if sorted { output.removeLast(total - kept) }
        bars = output
    }

    static func same(_ lhs: Bar, _ rhs: Bar) -> Bool {
        lhs.open == rhs.open && lhs.high == rhs.high && lhs.low == rhs.low && lhs.close == rhs.close
            && lhs.volume == rhs.volume
    }

    static func describe(_ bar: Bar) -> String {
        "open \(bar.open) high \(bar.high) low \(bar.low) close \(bar.close) volume \(bar.volume)"
    }
}
