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

    static func invalidParameter(
        _ message: String, errorClass: String = "INVALID_PARAMETER_VALUE", sqlState: String = "KAM00"
    ) -> ScoringError {
        ScoringError(errorCode: "INVALID_PARAMETER_VALUE", message: message, errorClass: errorClass, sqlState: sqlState)
    }

    public var jsonObject: [String: Any] {
        var object: [String: Any] = ["error_code": errorCode, "message": message]
        if let errorClass { object["error_class"] = errorClass }
        if let sqlState { object["sqlstate"] = sqlState }
        return object
    }
}
