import Basics
import Foundation
import Yams

/// `MLmodel`: MLflow's model manifest, in YAML, with the router flavor and the signature.
public enum MLmodelFile {
    public static let flavor = "mntrading_router"

    public static func render(manifest: RouterManifest, uuid: String, createdAt: Date) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        func json(_ value: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
        }
        let inputs: [[String: Any]] =
            [["type": "string", "name": "pair", "required": true]]
            + manifest.featureColumns.map { ["type": "double", "name": $0, "required": true] }
        let outputs: [[String: Any]] = [
            ["type": "string", "name": "pair", "required": true],
            ["type": "double", "name": "proba", "required": true],
            ["type": "long", "name": "signal", "required": true],
            ["type": "double", "name": "threshold", "required": true],
            ["type": "long", "name": "model_version", "required": true]
        ]
        let document: [String: Any] = [
            "artifact_path": "model",
            "flavors": [
                flavor: [
                    "format_version": manifest.formatVersion, "router": RouterVersion.manifestFile,
                    "code_version": manifest.codeVersion
                ]
            ],
            "model_uuid": uuid,
            "utc_time_created": formatter.string(from: createdAt),
            "signature": ["inputs": try json(inputs), "outputs": try json(outputs), "params": NSNull()]
        ]
        return try Yams.dump(object: document, sortKeys: true)
    }

    /// Checks an MLmodel file: YAML, with the router flavor at a known format version.
    public static func validate(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ModelFormatError.invalidModel(file: path, problem: "missing or unreadable")
        }
        guard let document = (try? Yams.load(yaml: text)) as? [String: Any],
            let flavors = document["flavors"] as? [String: Any], let router = flavors[flavor] as? [String: Any]
        else {
            throw ModelFormatError.invalidModel(file: path, problem: "not an MLmodel with the \(flavor) flavor")
        }
        guard (router["format_version"] as? Int) == RouterManifest.currentFormatVersion else {
            throw ModelFormatError.invalidModel(
                file: path,
                problem:
                    "unknown format_version \(router["format_version"] ?? "none") (this build reads \(RouterManifest.currentFormatVersion))"
            )
        }
    }
}
