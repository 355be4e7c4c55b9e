import Foundation

/// MLflow's client environment: `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME` and
/// `MLFLOW_TRACKING_PASSWORD` (basic). The header value is only ever sent, never logged or printed.
public struct MLflowCredentials: Sendable {
    let authorization: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            authorization = "Bearer \(token)"
        } else if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            let password = environment["MLFLOW_TRACKING_PASSWORD"] ?? ""
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    var headers: [(name: String, value: String)] { authorization.map { [("Authorization", $0)] } ?? [] }
}
