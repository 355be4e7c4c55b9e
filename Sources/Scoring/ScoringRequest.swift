import Foundation

/// A client mistake, shaped as MLflow reports it: an error code and a message (HTTP 400 unless said).
public struct ScoringError: Error, CustomStringConvertible, Equatable {
    public var errorCode: String
    public var message: String
    /// MLflow 3.x detail fields.
    public var errorClass: String?
    public var sqlState: String?

    public var description: String { message }

    public init(errorCode: String, message: String, errorClass: String? = nil, sqlState: String? = nil) {
        self.errorCode = errorCode
        self.message = message
        self.errorClass = errorClass
        self.sqlState = sqlState
    }

    static func badRequest(_ message: String) -> ScoringError {
        ScoringError(errorCode: "BAD_REQUEST", message: message, errorClass: "BAD_REQUEST", sqlState: "KAM00")
    }

    static func invalidParameter(_ message: String, errorClass: String = "INVALID_PARAMETER_VALUE", sqlState: String = "KAM00") -> ScoringError {
        ScoringError(errorCode: "INVALID_PARAMETER_VALUE", message: message, errorClass: errorClass, sqlState: sqlState)
    }

    public var jsonObject: [String: Any] {
        var object: [String: Any] = ["error_code": errorCode, "message": message]
        if let errorClass { object["error_class"] = errorClass }
        if let sqlState { object["sqlstate"] = sqlState }
        return object
    }
}

/// One cell of an input table before it is cast to the schema.
public enum Cell: Sendable, Equatable {
    case number(Double)
    case string(String)
    case missing
}

/// The rows of an /invocations request, by column name, whatever shape it arrived in.
public struct InputFrame: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// Decodes /invocations bodies: JSON with exactly one of `dataframe_split`, `dataframe_records`,
/// `instances`, `inputs` (plus optional `params`), or CSV with a header row.
public enum RequestDecoder {
    public static let inputKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    public static func decode(_ body: [UInt8], contentType: String) throws -> InputFrame {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json": return try json(body)
        case "text/csv": return try csv(body)
        default:
            throw ScoringError(errorCode: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json or text/csv (got '\(contentType)')")
        }
    }

    static func cell(_ value: Any) -> Cell {
        switch value {
        case is NSNull: return .missing
        // true/false arrive as numbers too (1/0), as pandas would cast them.
        case let number as NSNumber: return .number(number.doubleValue)
        case let text as String: return .string(text)
        default: return .string("\(value)")
        }
    }

    static func json(_ body: [UInt8]) throws -> InputFrame {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            throw ScoringError.badRequest("Invalid input. Ensure that input is a valid JSON formatted string.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw ScoringError.badRequest("The input must be a JSON dictionary with exactly one of the input fields \(fieldList).")
        }
        if let params = dictionary["params"], !(params is [String: Any]) {
            throw ScoringError.invalidParameter("Parameters must be a dictionary. Got type '\(params is [Any] ? "list" : "str")'.")
        }
        let present = inputKeys.filter { dictionary[$0] != nil }
        guard present.count == 1, let key = present.first, let value = dictionary[key] else {
            throw ScoringError.badRequest("The input must be a JSON dictionary with exactly one of the input fields \(fieldList). Received dictionary with input fields: [\(present.map { "'\($0)'" }.joined(separator: ", "))].")
        }
        switch key {
        case "dataframe_split":
            guard let split = value as? [String: Any] else {
                throw ScoringError.badRequest("Dataframe split format must be a dictionary. Got \(typeName(value)).")
            }
            guard let data = split["data"] as? [Any], Set(split.keys).isSubset(of: ["data", "columns", "index"]) else {
                throw ScoringError.badRequest("Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got \(split.keys.sorted()).")
            }
            let rows = try data.map { row -> [Cell] in
                guard let values = row as? [Any] else { throw ScoringError.badRequest("Dataframe split 'data' must be a list of rows.") }
                return values.map(cell)
            }
            let width = rows.map(\.count).max() ?? 0
            let columns = (split["columns"] as? [Any])?.map { "\($0)" } ?? (0..<width).map(String.init)
            // Short rows are padded with missing values, as pandas does.
            return InputFrame(columns: columns, rows: rows.map { $0 + Array(repeating: .missing, count: max(0, columns.count - $0.count)) })
        case "dataframe_records":
            guard let list = value as? [Any] else {
                throw ScoringError.badRequest("Dataframe records format must be a list of records. Got \(typeName(value)).")
            }
            return try records(list)
        case "instances":
            guard let list = value as? [Any], list.allSatisfy({ $0 is [String: Any] }) else {
                throw ScoringError.invalidParameter("'instances' must be a list of records (objects keyed by column) for a model with named columns.")
            }
            return try records(list, sameLength: true)
        default: // inputs
            if let columns = value as? [String: Any] {
                let names = columns.keys.sorted()
                let lists = try names.map { name -> [Any] in
                    guard let list = columns[name] as? [Any] else { return [columns[name]!] }
                    return list
                }
                guard Set(lists.map(\.count)).count <= 1 else {
                    throw ScoringError.invalidParameter("The length of values for each input/column name are not the same")
                }
                let count = lists.first?.count ?? 0
                return InputFrame(columns: names, rows: (0..<count).map { row in lists.map { cell($0[row]) } })
            }
            if let list = value as? [Any], list.allSatisfy({ $0 is [String: Any] }) {
                return try records(list)
            }
            throw ScoringError.invalidParameter("'inputs' must be a dict of columns or a list of records for a model with named columns.")
        }
    }

    static var fieldList: String { "{'instances', 'inputs', 'dataframe_records', 'dataframe_split'}" }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is [Any]: "list"
        case is [String: Any]: "dictionary"
        case is String: "str"
        default: "\(type(of: value))"
        }
    }

    static func records(_ list: [Any], sameLength: Bool = false) throws -> InputFrame {
        var columns: [String] = []
        var seen = Set<String>()
        let dictionaries = try list.map { item -> [String: Any] in
            guard let record = item as? [String: Any] else { throw ScoringError.badRequest("Every record must be a JSON object.") }
            for key in record.keys.sorted() where seen.insert(key).inserted { columns.append(key) }
            return record
        }
        if sameLength, Set(dictionaries.map(\.count)).count > 1 {
            throw ScoringError.invalidParameter("The length of values for each input/column name are not the same")
        }
        return InputFrame(columns: columns, rows: dictionaries.map { record in columns.map { record[$0].map(cell) ?? .missing } })
    }

    static func csv(_ body: [UInt8]) throws -> InputFrame {
        let text = String(decoding: body, as: UTF8.self)
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ScoringError.badRequest("CSV input has no header row.") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let rows = lines.map { line -> [Cell] in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return header.indices.map { index in
                guard index < fields.count, !fields[index].isEmpty else { return .missing }
                return Double(fields[index]).map(Cell.number) ?? .string(fields[index])
            }
        }
        return InputFrame(columns: header, rows: rows)
    }
}
