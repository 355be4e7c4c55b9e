/// The plain CSV body every client sends (pandas' `to_csv(index=False)`: a header row, then one
/// row per line, no quoting), parsed straight into the feature matrix with the same exact number
/// reader as the JSON path, so CSV costs what `dataframe_split` does. Anything else — quotes,
/// spaces, text where a number belongs, a row of the wrong length, a pair the model lacks —
/// answers nil and goes to the general decoder, whose answers and errors stay the only ones.
extension FastJSONParser {
    static func plainCSV(_ body: BodyBytes, reading: RowReading) -> SplitRows? {
        var parser = FastJSONParser(bytes: body.terminated)
        return try? parser.csvRows(reading, end: body.count)
    }

    private static let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    private func atFieldEnd(_ end: Int) -> Bool {
        index >= end || current == Self.comma || current == Self.newline || current == Self.carriageReturn
    }

    /// Steps over a line end (`\n` or `\r\n`); false when the line goes on.
    private mutating func lineEnd(_ end: Int) -> Bool {
        if index >= end { return true }
        if current == Self.carriageReturn { index += 1 }
        guard index >= end || current == Self.newline else { return false }
        if index < end { index += 1 }
        return true
    }

    /// A field's raw text (no quotes, no spaces allowed: those take the general path).
    private mutating func rawField(_ end: Int) -> Range<Int>? {
        let start = index
        while !atFieldEnd(end) {
            if current == UInt8(ascii: "\"") || current == UInt8(ascii: " ") { return nil }
            index += 1
        }
        return start..<index
    }

    private mutating func csvRows(_ reading: RowReading, end: Int) throws -> SplitRows? {
        let featureColumns = reading.featureColumns
        var names: [String] = []
        repeat {
            guard let name = rawField(end), !name.isEmpty else { return nil }
            names.append(String(decoding: bytes[name], as: UTF8.self))
            if index < end && current == Self.comma {
                index += 1
                continue
            }
            break
        } while true
        guard lineEnd(end), Set(names).count == names.count, names.contains("pair"),
            featureColumns.allSatisfy(names.contains)
        else { return nil }
        let slots = names.map { $0 == "pair" ? -1 : featureColumns.firstIndex(of: $0) ?? -2 }
        let width = featureColumns.count
        var rows = SplitRows()
        while index < end {
            if lineEnd(end) { continue } // an empty line, as the general decoder skips it
            let base = rows.values.count
            rows.values.append(contentsOf: repeatElement(.nan, count: width))
            var member: Int?
            for (position, slot) in slots.enumerated() {
                if position > 0 {
                    guard index < end, current == Self.comma else { return nil }
                    index += 1
                }
                if slot == -1 {
                    guard let name = rawField(end), let known = reading.pairs.index(of: name, in: bytes) else {
                        return nil
                    }
                    member = known
                } else if atFieldEnd(end) {
                    continue // empty: missing
                } else if current == UInt8(ascii: "-") || (48...57).contains(current) {
                    let value = try float()
                    guard atFieldEnd(end) else { return nil }
                    if slot >= 0 { rows.values[base + slot] = value }
                } else {
                    return nil
                }
            }
            guard let member, lineEnd(end) else { return nil }
            rows.members.append(Int32(member))
        }
        return rows
    }
}
