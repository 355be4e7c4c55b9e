import Basics
import Foundation
import Yams

/// The model registry on disk: `<root>/<name>/<version>/…` with integer versions that never change
/// once written, and `<root>/<name>/aliases.json` mapping aliases to versions (replaced atomically).
public struct ModelStore: Sendable {
    public let root: String
    /// The check a version must pass before it is written or an alias points at it: the server's
    /// own load (`RouterModel.load`, which this module cannot call), given by the programs that write
    /// versions, so that no command can leave an alias on a version the server would refuse.
    let verify: (@Sendable (_ directory: String) throws -> Void)?

    public init(root: String, verify: (@Sendable (_ directory: String) throws -> Void)? = nil) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.verify = verify
    }

    public static func validate(name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
        guard !name.isEmpty, name.count <= 100, name.unicodeScalars.allSatisfy(allowed.contains), !name.hasPrefix(".")
        else {
            throw ModelFormatError.invalidModel(
                file: name, problem: "model names use letters, digits, '_', '-' and '.' and do not start with '.'")
        }
    }

    func directory(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    public func versionDirectory(_ name: String, _ version: Int) -> String {
        (directory(name) as NSString).appendingPathComponent(String(version))
    }

    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    public func versions(_ name: String) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(name))) ?? []).compactMap(Int.init).sorted()
    }

    public func aliases(_ name: String) throws -> [String: Int] {
        let path = (directory(name) as NSString).appendingPathComponent("aliases.json")
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        try ConfinedPath.check(path, inside: root, what: "aliases.json")
        do {
            return try ProjectJSON.decoder(verbatimKeys: true).decode(
                [String: Int].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelFormatError.invalidModel(file: path, problem: "not a JSON object of alias → version")
        }
    }

    /// The aliases.json a `models:/<name>@<alias>` URI reads (nil for other URIs), so a watcher can
    /// tell one state of it from another.
    public func aliasesFile(for uri: String) -> String? {
        guard uri.hasPrefix("models:/"), let at = uri.firstIndex(of: "@") else { return nil }
        let name = String(uri[uri.index(uri.startIndex, offsetBy: "models:/".count)..<at])
        return (directory(name) as NSString).appendingPathComponent("aliases.json")
    }

    /// Points `alias` at `version` (which must exist): how a version is promoted or rolled back.
    public func setAlias(_ name: String, alias: String, version: Int) throws {
        try Self.validate(name: name)
        try Self.validate(name: alias)
        guard versions(name).contains(version) else {
            throw ModelFormatError.invalidModel(
                file: versionDirectory(name, version), problem: "version \(version) of \(name) does not exist")
        }
        try ConfinedPath.check(versionDirectory(name, version), inside: root, what: "version \(version) of \(name)")
        do {
            try verify?(versionDirectory(name, version))
        } catch {
            throw ModelFormatError.invalidModel(
                file: versionDirectory(name, version),
                problem: "version \(version) of \(name) would not load, the alias stays where it was: \(error)")
        }
        var current = try aliases(name)
        let previous = current[alias]
        current[alias] = version
        try AtomicFile.write(
            try ProjectJSON.encoder(verbatimKeys: true).encode(current),
            to: (directory(name) as NSString).appendingPathComponent("aliases.json"))
        // Where the alias pointed before, so that a roll back can return there.
        if let previous, previous != version {
            var history = (try? aliasHistory(name)) ?? [:]
            history[alias, default: []].append(previous)
            try AtomicFile.write(try ProjectJSON.encoder(verbatimKeys: true).encode(history), to: historyFile(name))
        }
    }

    func historyFile(_ name: String) -> String {
        (directory(name) as NSString).appendingPathComponent("alias_history.json")
    }

    /// Per alias, the versions it pointed at before its current one, oldest first.
    public func aliasHistory(_ name: String) throws -> [String: [Int]] {
        let path = historyFile(name)
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        try ConfinedPath.check(path, inside: root, what: "alias_history.json")
        do {
            return try ProjectJSON.decoder(verbatimKeys: true).decode(
                [String: [Int]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelFormatError.invalidModel(file: path, problem: "not a JSON object of alias → earlier versions")
        }
    }

    /// Points `alias` back at the version it pointed at before the last move (checked as any
    /// move is); returns that version. The history loses that step, so repeated roll backs walk back.
    @discardableResult
    public func rollBack(_ name: String, alias: String) throws -> Int {
        var history = try aliasHistory(name)
        guard let previous = history[alias]?.last else {
            throw ModelFormatError.invalidModel(
                file: historyFile(name), problem: "alias '\(alias)' of \(name) has no earlier version to roll back to")
        }
        try setAlias(name, alias: alias, version: previous)
        // setAlias recorded the version rolled back from; a roll back forgets it and the step taken.
        history[alias]?.removeLast()
        if history[alias]?.isEmpty == true { history[alias] = nil }
        try AtomicFile.write(try ProjectJSON.encoder(verbatimKeys: true).encode(history), to: historyFile(name))
        return previous
    }

    /// Writes a new version: `fill` populates a temporary directory, which is then renamed into place,
    /// so a version is never seen half-written. Returns the version number.
    public func addVersion(_ name: String, fill: (_ directory: String, _ version: Int) throws -> Void) throws -> Int {
        try Self.validate(name: name)
        try FileManager.default.createDirectory(atPath: directory(name), withIntermediateDirectories: true)
        for _ in 0..<20 {
            let version = (versions(name).last ?? 0) + 1
            // If another writer took this number, try the next.
            if try claim(name, version, fill: fill) { return version }
        }
        throw ModelFormatError.invalidModel(file: directory(name), problem: "could not claim a new version number")
    }

    /// Writes version `version` as numbered elsewhere (a registry's copy), the same way: filled in a
    /// temporary directory, verified, renamed into place. A version already present is left as it is.
    public func addVersion(_ name: String, number version: Int, fill: (_ directory: String) throws -> Void) throws {
        try Self.validate(name: name)
        guard version > 0 else {
            throw ModelFormatError.invalidModel(file: name, problem: "version \(version) is not a version number")
        }
        try FileManager.default.createDirectory(atPath: directory(name), withIntermediateDirectories: true)
        guard !versions(name).contains(version) else { return }
        _ = try claim(name, version) { directory, _ in try fill(directory) }
    }

    /// Temporary directories an hour old (a writer killed between its fill and its rename) go;
    /// a writer at work renames its own within seconds.
    func removeAbandonedTemporaries(_ name: String, olderThan seconds: Double = 3_600) {
        let parent = directory(name)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(".tmp-")
        {
            let path = (parent as NSString).appendingPathComponent(entry)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                Date().timeIntervalSince(modified) > seconds
            else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Fills, verifies and renames a temporary directory onto the version's; false when the
    /// version appeared meanwhile (rename(2) onto a missing name is atomic).
    private func claim(_ name: String, _ version: Int, fill: (_ directory: String, _ version: Int) throws -> Void)
        throws -> Bool
    {
        removeAbandonedTemporaries(name)
        let temporary = (directory(name) as NSString).appendingPathComponent(".tmp-\(version)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        do {
            try fill(temporary, version)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        do {
            try verify?(temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            // Said of the version, not of the temporary directory's random name, so that the same
            // problem reads the same every time it is met.
            let text = "\(error)"
            guard text.contains(temporary) else { throw error }
            throw ModelFormatError.invalidModel(
                file: "\(name) version \(version)",
                problem: text.replacingOccurrences(of: temporary, with: versionDirectory(name, version)))
        }
        if rename(temporary, versionDirectory(name, version)) == 0 { return true }
        try? FileManager.default.removeItem(atPath: temporary)
        return false
    }

    /// Resolves a model URI to a version directory inside the root: `models:/<name>/<version>`,
    /// `models:/<name>@<alias>`, `models:/<name>/latest`, or a path (which must lie inside the root).
    public func resolve(_ uri: String) throws -> (directory: String, name: String?, version: Int?) {
        if uri.hasPrefix("models:/") {
            let rest = String(uri.dropFirst("models:/".count))
            if let at = rest.firstIndex(of: "@") {
                let name = String(rest[..<at]), alias = String(rest[rest.index(after: at)...])
                try Self.validate(name: name)
                guard let version = try aliases(name)[alias] else {
                    throw ModelFormatError.invalidModel(file: uri, problem: "model \(name) has no alias '\(alias)'")
                }
                return try existing(name, version, uri: uri)
            }
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw ModelFormatError.invalidModel(
                    file: uri,
                    problem: "expected models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest")
            }
            try Self.validate(name: parts[0])
            if parts[1] == "latest" {
                guard let latest = versions(parts[0]).last else {
                    throw ModelFormatError.invalidModel(file: uri, problem: "model \(parts[0]) has no versions")
                }
                return try existing(parts[0], latest, uri: uri)
            }
            guard let version = Int(parts[1]), version > 0 else {
                throw ModelFormatError.invalidModel(file: uri, problem: "'\(parts[1])' is not a version number")
            }
            return try existing(parts[0], version, uri: uri)
        }
        // A path names a version folder: strictly inside the root, links followed.
        guard ConfinedPath.real(uri) != ConfinedPath.real(root) else {
            throw ModelFormatError.invalidModel(
                file: uri, problem: "model paths must lie inside the models directory \(root)")
        }
        try ConfinedPath.check(
            uri, inside: root, what: "model path \(uri) (model paths must lie inside the models directory)")
        return (ConfinedPath.real(uri), nil, nil)
    }

    private func existing(_ name: String, _ version: Int, uri: String) throws -> (
        directory: String, name: String?, version: Int?
    ) {
        let path = versionDirectory(name, version)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFormatError.invalidModel(file: uri, problem: "version \(version) of \(name) does not exist")
        }
        try ConfinedPath.check(path, inside: root, what: "version \(version) of \(name)")
        return (path, name, version)
    }
}
