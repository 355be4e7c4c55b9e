import Foundation

/// The project's one JSON coder, for every file and document it writes (research and training
/// files, reports, order files, router.json, aliases.json): snake_case keys, sorted (so files diff
/// cleanly), pretty unless asked otherwise; a non-finite number (rare: most optional statistics are
/// nil instead) is the string "inf", "-inf" or "nan". Dictionary keys are rewritten by the key
/// strategy too, so types that carry symbol or pair names as keys use arrays of records instead;
/// a file that is itself a map of user-chosen names (aliases.json) is coded with `verbatimKeys`.
public enum ProjectJSON {
    public static func encoder(pretty: Bool = true, verbatimKeys: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        if !verbatimKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder(verbatimKeys: Bool = false) -> JSONDecoder {
        let decoder = JSONDecoder()
        if !verbatimKeys { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// One line of compact JSON.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder(pretty: false).encode(value), as: UTF8.self)
    }

    /// A JSON string literal: the fast hand-written encoders (the /invocations request and answer)
    /// quote through this one function.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
