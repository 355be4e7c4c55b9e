import Foundation

/// The project's JSON files and documents: snake_case keys, sorted (so files diff cleanly), pretty
/// unless asked otherwise; a non-finite number (rare: most optional statistics are nil instead) is
/// the string "inf", "-inf" or "nan". Dictionary keys are rewritten by the key strategy too, so
/// types that carry symbol or pair names as keys use arrays of records instead.
public enum SnakeCaseJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
