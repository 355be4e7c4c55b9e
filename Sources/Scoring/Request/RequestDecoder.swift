import Foundation

/// Decodes /invocations bodies: JSON with exactly one of `dataframe_split`, `dataframe_records`,
/// `instances`, `inputs` (plus optional `params`), or CSV with a header row.
public enum RequestDecoder {
    public static let inputKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    /// The media type of a Content-Type value, lower-cased, without parameters.
    public static func mediaType(_ contentType: String) -> String {
        // What clients send almost always, without splitting and lowercasing on every request.
        if contentType == "application/json" || contentType == "text/csv" { return contentType }
        return contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            ?? ""
    }

    public static func decode(_ body: [UInt8], contentType: String) throws -> InputFrame {
        try decode(BodyBytes(body), contentType: contentType)
    }

    /// The server's path: JSON is read in place; CSV's general reader takes the bytes.
    public static func decode(_ body: BodyBytes, contentType: String) throws -> InputFrame {
        switch mediaType(contentType) {
        case "application/json": return try json(body)
        case "text/csv": return try csv(body.bytes)
        default:
            throw ScoringError(
                errorCode: "UNSUPPORTED_MEDIA_TYPE",
                message: "Content-Type must be application/json or text/csv (got '\(contentType)')")
        }
    }

    static func cell(_ value: JSONValue) -> Cell {
        switch value {
        case .null: return .missing
        case let .number(number): return .number(number)
        // true/false count as 1/0, as pandas would cast them.
        case let .bool(flag): return .number(flag ? 1 : 0)
        case let .string(text): return .string(text)
        case .array, .object: return .string("<nested value>")
        }
    }

    static func json(_ body: BodyBytes) throws -> InputFrame {
        let document: JSONValue
        do { document = try FastJSONParser.parse(body) } catch {
            throw ScoringError.badRequest(
                "Invalid input. Ensure that input is a valid JSON formatted string. Error: '\(error)'")
        }
        guard case let .object(fields) = document else {
            let received: String
            if case .array = document {
                received = "Received a list."
            } else {
                received = "Received unexpected input type."
            }
            throw ScoringError.badRequest(
                "Invalid input. The input must be a JSON dictionary with exactly one of the input fields \(fieldList). \(received)"
            )
        }
        if let params = document["params"] {
            guard case .object = params else {
                throw ScoringError.invalidParameter("Parameters must be a dictionary. Got type '\(typeName(params))'.")
            }
        }
        let present = inputKeys.filter { key in fields.contains { $0.0 == key } }
        guard present.count == 1, let key = present.first, let value = document[key] else {
            throw ScoringError.badRequest(
                "The input must be a JSON dictionary with exactly one of the input fields \(fieldList). Received dictionary with input fields: [\(present.map { "'\($0)'" }.joined(separator: ", "))]."
            )
        }
        switch key {
        case "dataframe_split":
            guard case let .object(split) = value else {
                throw ScoringError.badRequest("Dataframe split format must be a dictionary. Got \(typeName(value)).")
            }
            guard case let .array(data)? = value["data"],
                split.allSatisfy({ ["data", "columns", "index"].contains($0.0) })
            else {
                throw ScoringError.badRequest(
                    "Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got \(split.map(\.0).sorted())."
                )
            }
            let rows = try data.map { row -> [Cell] in
                guard case let .array(values) = row else {
                    throw ScoringError.badRequest("Dataframe split 'data' must be a list of rows.")
                }
                return values.map(cell)
            }
            let width = rows.map(\.count).max() ?? 0
            let columns: [String]
            if case let .array(names)? = value["columns"] {
                columns = names.map { name in
                    switch name {
                    case let .string(text): text
                    case let .number(number): number == number.rounded() ? String(Int(number)) : String(number)
                    default: "\(name)"
                    }
                }
            } else {
                columns = (0..<width).map(String.init)
            }
            // Short rows are padded with missing values, as pandas does (only those are copied).
            return InputFrame(
                columns: columns,
                rows: rows.map {
                    $0.count >= columns.count ? $0 : $0 + Array(repeating: .missing, count: columns.count - $0.count)
                })
        case "dataframe_records":
            guard case let .array(list) = value else {
                throw ScoringError.badRequest(
                    "Dataframe records format must be a list of records. Got \(typeName(value)).")
            }
            return try records(list)
        case "instances":
            guard case let .array(list) = value, list.allSatisfy({ if case .object = $0 { true } else { false } })
            else {
                throw ScoringError.invalidParameter(
                    "'instances' must be a list of records (objects keyed by column) for a model with named columns.")
            }
            return try records(list, sameLength: true)
        default: // inputs
            if case let .object(columns) = value {
                var names: [String] = []
                var lists: [[JSONValue]] = []
                for (name, column) in columns where !names.contains(name) {
                    names.append(name)
                    if case let .array(list) = value[name]! { lists.append(list) } else { lists.append([column]) }
                }
                guard Set(lists.map(\.count)).count <= 1 else {
                    throw ScoringError.invalidParameter(
                        "The length of values for each input/column name are not the same")
                }
                let count = lists.first?.count ?? 0
                return InputFrame(columns: names, rows: (0..<count).map { row in lists.map { cell($0[row]) } })
            }
            if case let .array(list) = value, list.allSatisfy({ if case .object = $0 { true } else { false } }) {
                return try records(list)
            }
            throw ScoringError.invalidParameter(
                "'inputs' must be a dict of columns or a list of records for a model with named columns.")
        }
    }

    static var fieldList: String { "{'instances', 'inputs', 'dataframe_records', 'dataframe_split'}" }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .array: "list"
        case .object: "dictionary"
        case .string: "str"
        case .number: "float"
        case .bool: "bool"
        case .null: "NoneType"
        }
    }

    static func records(_ list: [JSONValue], sameLength: Bool = false) throws -> InputFrame {
        var columns: [String] = []
        var seen = Set<String>()
        var counts = Set<Int>()
        let dictionaries = try list.map { item -> [String: JSONValue] in
            guard case let .object(pairs) = item else {
                throw ScoringError.badRequest("Every record must be a JSON object.")
            }
            var record: [String: JSONValue] = [:]
            for (key, value) in pairs {
                record[key] = value
                if seen.insert(key).inserted { columns.append(key) }
            }
            counts.insert(record.count)
            return record
        }
        if sameLength, counts.count > 1 {
            throw ScoringError.invalidParameter("The length of values for each input/column name are not the same")
        }
        return InputFrame(
            columns: columns, rows: dictionaries.map { record in columns.map { record[$0].map(cell) ?? .missing } })
    }

    static func csv(_ body: [UInt8]) throws -> InputFrame {
        let text = String(decoding: body, as: UTF8.self)
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ScoringError.badRequest("CSV input has no header row.") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let rows = lines.map { line -> [Cell] in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return header.indices.map { index in
                guard index < fields.count, !fields[index].isEmpty else { return .missing }
                return Double(fields[index]).map(Cell.number) ?? .string(fields[index])
            }
        }
        return InputFrame(columns: header, rows: rows)
    }
}
