import Basics
import Foundation
import Logging
import ModelFormat

/// A registry alias followed into a local model store, so the scoring server serves a registered
/// version exactly as it serves a local one: `models:/<name>@<alias>` is resolved in the registry,
/// the version's files are downloaded into `<models-dir>/.mlflow-registry/<name>/<version>/`,
/// checked with the same load check as a local version, and only then does the local alias move.
/// A version that fails to download or verify, or a registry that cannot be reached, leaves the
/// local alias — and so the version being served — where it was.
public struct RegistryMirror: Sendable {
    public let client: MLflowClient
    /// The local copy: a model store whose aliases follow the registry's.
    public let cache: ModelStore

    public static func cacheRoot(modelsDirectory: String) -> String {
        (modelsDirectory as NSString).appendingPathComponent(".mlflow-registry")
    }

    public init(client: MLflowClient, modelsDirectory: String, verify: @escaping @Sendable (_ directory: String) throws -> Void) {
        self.client = client
        self.cache = ModelStore(root: Self.cacheRoot(modelsDirectory: modelsDirectory), verify: verify)
    }

    /// The name and alias of a `models:/<name>@<alias>` URI (nil for other URIs).
    public static func aliasReference(_ uri: String) -> (name: String, alias: String)? {
        guard uri.hasPrefix("models:/"), let at = uri.firstIndex(of: "@") else { return nil }
        let name = String(uri[uri.index(uri.startIndex, offsetBy: "models:/".count)..<at])
        let alias = String(uri[uri.index(after: at)...])
        guard !name.isEmpty, !alias.isEmpty, !name.contains("/") else { return nil }
        return (name, alias)
    }

    /// Brings the local alias to the registry's version; returns it and whether it moved.
    @discardableResult
    public func refresh(name: String, alias: String) throws -> (version: Int, moved: Bool) {
        try ModelStore.validate(name: name)
        try ModelStore.validate(name: alias)
        var registered = try client.version(name: name, alias: alias)
        // A version directory must be named as its router.json says (the load check), and the
        // registry numbers its versions on its own: the copy takes the number the files carry.
        let manifest = try client.downloadArtifact(artifactURI: registered.source, path: "router.json")
        guard let number = try? ProjectJSON.decoder().decode(RouterManifest.self, from: Data(manifest)).version else {
            throw MLflowError.unusable("version \(registered.version) of \(name) (\(registered.source)) has no readable router.json")
        }
        registered.version = number
        if try cache.aliases(name)[alias] == registered.version, cache.versions(name).contains(registered.version) {
            return (registered.version, false)
        }
        if !cache.versions(name).contains(registered.version) {
            let files = try client.listArtifacts(artifactURI: registered.source)
            guard files.contains("MLmodel") else {
                throw MLflowError.unusable("version \(registered.version) of \(name) (\(registered.source)) has no MLmodel file")
            }
            try cache.addVersion(name, number: registered.version) { directory in
                for file in files {
                    let components = file.split(separator: "/").map(String.init)
                    // The names come from the server: each must stay inside the version directory.
                    guard !components.isEmpty, components.allSatisfy({ $0 != ".." && $0 != "." && !$0.isEmpty }) else {
                        throw MLflowError.unusable("version \(registered.version) of \(name) holds a file named '\(file)', refused")
                    }
                    let path = (directory as NSString).appendingPathComponent(components.joined(separator: "/"))
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try ConfinedPath.check((path as NSString).deletingLastPathComponent, inside: directory, what: file)
                    try Data(try client.downloadArtifact(artifactURI: registered.source, path: file)).write(to: URL(fileURLWithPath: path))
                }
            }
        }
        try cache.setAlias(name, alias: alias, version: registered.version)
        return (registered.version, true)
    }

    /// Refreshes every `interval` seconds on a thread of its own (the calls block), for the life of
    /// the process. Each distinct problem is logged once; the serving version is never touched here.
    public func follow(name: String, alias: String, every interval: Double, logger: Logger) {
        let mirror = self
        Thread.detachNewThread {
            var lastProblem: String?
            while true {
                Thread.sleep(forTimeInterval: interval)
                do {
                    let (version, moved) = try mirror.refresh(name: name, alias: alias)
                    if moved { logger.notice("registry \(mirror.client.trackingURI): \(name)@\(alias) is version \(version), copied and verified") }
                    lastProblem = nil
                } catch {
                    let problem = "\(error)"
                    if problem != lastProblem {
                        logger.error("registry \(mirror.client.trackingURI): \(name)@\(alias) cannot be followed: \(problem); the version being served stays")
                        lastProblem = problem
                    }
                }
            }
        }
    }
}
