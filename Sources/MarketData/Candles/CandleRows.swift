import Foundation

/// The bars one candle file gave, in the file's order, each with where it stood in the file so
/// that a conflict found later, across files, can still name the line.
struct CandleRows {
    /// How a row's `position` reads in a message.
    enum Position {
        /// A line of a text file (the header is line 1).
        case line
        /// The ordinal of a candle in a JSON array, whose file is usually one line.
        case candle
    }

    var format: CandleFormat
    var name: String
    var position: Position = .line
    var bars: [Bar] = []
    var positions: [Int32] = []
    /// Rows whose open time is before the previous row's.
    var unsorted = 0

    init(format: CandleFormat, name: String, position: Position = .line, capacity: Int = 0) {
        self.format = format
        self.name = name
        self.position = position
        bars.reserveCapacity(capacity)
        positions.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func append(_ bar: Bar, at position: Int) {
        if let last = bars.last, bar.openTime < last.openTime { unsorted += 1 }
        bars.append(bar)
        positions.append(Int32(truncatingIfNeeded: position))
    }

    /// `file.csv:12` or `file.json: candle 12`.
    func location(ofRow row: Int) -> String {
        switch position {
        case .line: "\(name):\(positions[row])"
        case .candle: "\(name): candle \(positions[row])"
        }
    }
}
