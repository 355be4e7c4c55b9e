import Foundation

public enum Symbols {
    /// Exchange symbols are upper-case letters and digits (e.g. BTCUSDT); input is upper-cased.
    public static func normalise(_ text: String) throws -> String {
        let symbol = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard (2...30).contains(symbol.count), symbol.allSatisfy({ ($0.isASCII && $0.isLetter) || $0.isNumber }) else {
            throw MarketDataError.invalidArgument(
                "invalid symbol '\(text)': use exchange symbols such as BTCUSDT (letters and digits)")
        }
        return symbol
    }

    public static func parseList(_ text: String) throws -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            let symbol = try normalise(String(part))
            if seen.insert(symbol).inserted { result.append(symbol) }
        }
        guard !result.isEmpty else { throw MarketDataError.invalidArgument("no symbols given in '\(text)'") }
        return result
    }
}
