import Basics
import Foundation

/// A request the Open Inference Protocol (V2) routes refuse, answered in that protocol's shape,
/// `{"error": "…"}`: 404 for a model or version this server does not serve, 503 while it has no
/// model loaded, 400 for the rest.
public struct InferenceProtocolError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var notFound: Bool
    public var unavailable: Bool

    public init(_ message: String, notFound: Bool = false, unavailable: Bool = false) {
        self.message = message
        self.notFound = notFound
        self.unavailable = unavailable
    }

    public var description: String { message }

    /// `{"error": message}` with the message quoted for JSON.
    public var body: [UInt8] {
        Array(#"{"error":"#.utf8) + Array(ProjectJSON.quoted(message).utf8) + [UInt8(ascii: "}")]
    }
}
