import Basics
import Foundation

/// MLflow's client environment: `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME` and
/// `MLFLOW_TRACKING_PASSWORD` (basic). The header value is only ever sent, never logged or printed.
public struct MLflowCredentials: Sendable {
    let authorization: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let token = EnvironmentVariable.trackingToken.text(in: environment) {
            authorization = "Bearer \(token)"
        } else if let user = EnvironmentVariable.trackingUsername.text(in: environment) {
            let password = EnvironmentVariable.trackingPassword.text(in: environment) ?? ""
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    var headers: [(name: String, value: String)] { authorization.map { [("Authorization", $0)] } ?? [] }
}
