/// A pair's id as every file, table, request and model names it: the two legs' exchange symbols
/// joined by "__" (`ETHUSDT__BTCUSDT`; leg A is the one regressed on leg B). The only place the id
/// is built or split.
public struct PairID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let separator = "__"

    public var a: String
    public var b: String

    public init(a: String, b: String) {
        self.a = a
        self.b = b
    }

    /// nil unless `text` is two non-empty legs joined by one separator.
    public init?(_ text: String) {
        let parts = text.components(separatedBy: Self.separator)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(a: parts[0], b: parts[1])
    }

    public var text: String { a + Self.separator + b }
    public var legs: [String] { [a, b] }
    public var description: String { text }

    public static func < (lhs: PairID, rhs: PairID) -> Bool { lhs.text < rhs.text }
}

extension PairID: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = PairID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a pair id (A__B)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
