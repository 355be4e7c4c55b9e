import Foundation

/// Milliseconds since the Unix epoch, UTC, parsed from and printed as ISO-8601. Hand-written because
/// CSV import parses one timestamp per row and Foundation's formatters are slow and locale-sensitive.
public enum UTCTime {
    public static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` (or a space instead of `T`), an optional
    /// `Z` or `±HH:MM` offset (no offset means UTC), or a plain integer of epoch milliseconds.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let millis = Int64(trimmed) { return millis }
        let bytes = Array(trimmed.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0
        if index < bytes.count, bytes[index] == 84 || bytes[index] == 116 || bytes[index] == 32 {
            index += 1
            guard let h = number(2), expect(58), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if expect(46) {
                    var scale = 100
                    var digits = 0
                    while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                        if scale > 0 {
                            millis += Int(bytes[index] - 48) * scale
                            scale /= 10
                        }
                        index += 1
                        digits += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
        }
        var offsetMinutes = 0
        if index < bytes.count {
            if bytes[index] == 90 || bytes[index] == 122 {
                index += 1
            } else if bytes[index] == 43 || bytes[index] == 45 {
                let sign = bytes[index] == 45 ? -1 : 1
                index += 1
                guard let oh = number(2) else { return nil }
                _ = expect(58)
                guard let om = number(2) else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// `2024-01-01T00:00:00Z`; milliseconds are printed only when not zero.
    public static func format(_ millis: Int64) -> String {
        let totalSeconds = Int64((Double(millis) / 1000).rounded(.down))
        let ms = Int(millis - totalSeconds * 1000)
        let days = Int((Double(totalSeconds) / 86_400).rounded(.down))
        let secondOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let (year, month, day) = civilFromDays(days)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
            secondOfDay / 3600, (secondOfDay / 60) % 60, secondOfDay % 60)
        return ms == 0 ? base + "Z" : base + String(format: ".%03dZ", ms)
    }

    /// `20240101T000000Z`, for file names.
    public static func compactStamp(_ millis: Int64) -> String {
        format(millis - millis % 1000).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian, exact for all years).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
