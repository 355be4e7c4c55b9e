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
    /// The most one version may download, its files together (`mntrading-serve --max-model-bytes`).
    public var maxVersionBytes = RegistryMirror.defaultMaxVersionBytes
    public static let defaultMaxVersionBytes = 1 << 30
    /// Versions refused for what they hold (not for a registry that could not be reached): not
    /// downloaded again at every reload, and refused with the same words, so logged once.
    private let refused = RefusedVersions()

    public static func cacheRoot(modelsDirectory: String) -> String {
        (modelsDirectory as NSString).appendingPathComponent(".mlflow-registry")
    }

    public init(
        client: MLflowClient, modelsDirectory: String, verify: @escaping @Sendable (_ directory: String) throws -> Void
    ) {
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
        let manifestBytes = try client.downloadArtifact(
            artifactURI: registered.source, path: RouterVersion.manifestFile, maxBytes: min(maxVersionBytes, 64 << 20))
        guard
            let manifest = try? RouterVersion.decodeManifest(
                Data(manifestBytes), file: "\(registered.source)/\(RouterVersion.manifestFile)")
        else {
            throw MLflowError.unusable(
                "version \(registered.version) of \(name) (\(registered.source)) has no readable router.json")
        }
        registered.version = manifest.version
        let key = "\(name)/\(manifest.version)"
        if let problem = refused.problem(key) { throw MLflowError.unusable(problem) }
        if try cache.aliases(name)[alias] == registered.version, cache.versions(name).contains(registered.version) {
            return (registered.version, false)
        }
        if !cache.versions(name).contains(registered.version) {
            do {
                try copy(registered, manifest: manifest, name: name, budget: maxVersionBytes - manifestBytes.count)
            } catch let error where Self.isAboutTheVersion(error) {
                let problem = "version \(manifest.version) of \(name) (\(registered.source)) refused: \(error)"
                refused.record(key, problem)
                throw MLflowError.unusable(problem)
            }
        }
        try cache.setAlias(name, alias: alias, version: registered.version)
        return (registered.version, true)
    }

    /// Whether `error` is about what the version holds (then it is refused for good) rather than
    /// about reaching the registry (then the next reload tries again).
    static func isAboutTheVersion(_ error: Error) -> Bool {
        switch error {
        case let error as MLflowError:
            switch error {
            case .unreachable, .unauthorized: false
            case .rejected, .unusable, .tooLarge: true
            }
        // A disk that cannot take the files is this machine's problem, not the version's.
        case is CocoaError, is FileWriteError: false
        default: true
        }
    }

    /// Downloads the files of `registered` into the cache, checked as a local version is: only the
    /// files its MLmodel and router.json name, all of them, in at most `budget` bytes together.
    private func copy(_ registered: ModelVersion, manifest: RouterManifest, name: String, budget: Int) throws {
        let files = try client.listArtifacts(artifactURI: registered.source)
        let expected = Set(RouterVersion.files(of: manifest))
        let unlisted = Set(files).subtracting(expected).sorted()
        guard unlisted.isEmpty else {
            throw MLflowError.unusable(
                "it holds files its MLmodel and router.json do not list (\(unlisted.prefix(5).joined(separator: ", "))\(unlisted.count > 5 ? ", …" : ""))"
            )
        }
        // router.json is already in hand; input_example.json is optional.
        let missing = ([RouterVersion.mlmodelFile] + manifest.members.map(\.file)).filter { !files.contains($0) }
        guard missing.isEmpty else {
            throw MLflowError.unusable("it lacks \(missing.prefix(5).joined(separator: ", "))")
        }
        var budget = budget
        try cache.addVersion(name, number: manifest.version) { directory in
            for file in files {
                let components = file.split(separator: "/").map(String.init)
                // The names come from the server: each must stay inside the version directory.
                guard !components.isEmpty, components.allSatisfy({ $0 != ".." && $0 != "." && !$0.isEmpty }) else {
                    throw MLflowError.unusable(
                        "version \(registered.version) of \(name) holds a file named '\(file)', refused")
                }
                let path = (directory as NSString).appendingPathComponent(components.joined(separator: "/"))
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try ConfinedPath.check((path as NSString).deletingLastPathComponent, inside: directory, what: file)
                let bytes = try client.downloadArtifact(
                    artifactURI: registered.source, path: file, maxBytes: max(0, budget))
                budget -= bytes.count
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }
        }
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
                    if moved {
                        logger.notice(
                            "registry \(mirror.client.trackingURI): \(name)@\(alias) is version \(version), copied and verified"
                        )
                    }
                    lastProblem = nil
                } catch {
                    let problem = "\(error)"
                    if problem != lastProblem {
                        logger.error(
                            "registry \(mirror.client.trackingURI): \(name)@\(alias) cannot be followed: \(problem); the version being served stays"
                        )
                        lastProblem = problem
                    }
                }
            }
        }
    }
}

/// The registry versions a mirror refused, by `<name>/<version>`, with the words it refused them in.
final class RefusedVersions: @unchecked Sendable {
    // @unchecked Sendable: `problems` is read and written only under `lock`.
    private let lock = NSLock()
    private var problems: [String: String] = [:]

    func problem(_ key: String) -> String? { lock.withLock { problems[key] } }
    func record(_ key: String, _ problem: String) { lock.withLock { problems[key] = problem } }
}
