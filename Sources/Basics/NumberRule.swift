/// What a numeric setting accepts — a flag, an environment variable, a dashboard setting — checked
/// once, where its text is parsed: a number, finite, inside the setting's range. The ranges are
/// chosen so that every accepted value is representable in what it becomes downstream (seconds as
/// UInt64 nanoseconds or curl's milliseconds, days as milliseconds, a count of threads NIO can
/// start), so nothing past the parse has to trap on a value a user typed.
public struct NumberRule<Value: Comparable & Sendable>: Sendable {
    public let range: ClosedRange<Value>
    /// True when `range.lowerBound` itself is refused (a positive amount).
    public let excludesLower: Bool
    /// What the number counts ("seconds", "bars"), for the message.
    public let unit: String?
    let kind: String
    let convert: @Sendable (String) -> Value?
    let show: @Sendable (Value) -> String

    /// The value `text` spells, or an error that says what the setting takes.
    public func parse(_ text: String) throws(NumberRuleError) -> Value {
        guard let value = convert(text), contains(value) else { throw NumberRuleError(text: text, expected: summary) }
        return value
    }

    public func contains(_ value: Value) -> Bool {
        range.contains(value) && !(excludesLower && value == range.lowerBound)
    }

    /// "a number above 0 and at most 86400 (seconds)".
    public var summary: String {
        let lower = excludesLower ? "above \(show(range.lowerBound))" : "from \(show(range.lowerBound))"
        let upper = excludesLower ? "and at most \(show(range.upperBound))" : "to \(show(range.upperBound))"
        return "\(kind) \(lower) \(upper)" + (unit.map { " (\($0))" } ?? "")
    }
}

/// A setting's text is not a number its rule accepts; the description says what it takes.
public struct NumberRuleError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public let expected: String
    public var description: String { "must be \(expected)" }
}

extension NumberRule where Value == Double {
    /// A finite real number in `range`.
    public static func number(_ range: ClosedRange<Double>, unit: String? = nil) -> Self {
        NumberRule(range: range, excludesLower: false, unit: unit, kind: "a number", convert: finiteDouble, show: plain)
    }

    /// A finite real number above `lower` and at most `upper` (an amount that cannot be zero).
    public static func number(above lower: Double, atMost upper: Double, unit: String? = nil) -> Self {
        NumberRule(
            range: lower...upper, excludesLower: true, unit: unit, kind: "a number", convert: finiteDouble, show: plain)
    }

    /// Timeouts and intervals: more than nothing, at most a day.
    public static let seconds = number(above: 0, atMost: 86_400, unit: "seconds")

    /// A fraction in [0, 1].
    public static let fraction = number(0...1)

    /// 86400, not 86400.0.
    @Sendable static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    @Sendable static func finiteDouble(_ text: String) -> Double? {
        // Double("nan"), Double("inf") and Double("1e400") (= inf) parse; none is a setting.
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

extension NumberRule where Value == Int {
    /// A whole number in `range` (so "1.5", "1e3" and anything beyond Int are refused).
    public static func whole(_ range: ClosedRange<Int>, unit: String? = nil) -> Self {
        NumberRule(
            range: range, excludesLower: false, unit: unit, kind: "a whole number", convert: { Int($0) },
            show: { String($0) })
    }

    /// A TCP port; 0 asks the kernel for a free one.
    public static let port = whole(0...65_535)
}
