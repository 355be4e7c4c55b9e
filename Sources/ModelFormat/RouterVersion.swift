import Basics
import Foundation

/// One router version on disk, `<models>/<name>/<version>/`: `MLmodel`, `router.json`,
/// `members/<pair>.onnx` and, for versions that can warm a server up, `input_example.json`. The one
/// place that knows those names and how each file is written and read, so that the builder, the
/// benchmark, the test fixture, the scorer, the tracker and the registry mirror cannot drift apart.
public struct RouterVersion: Sendable {
    public static let mlmodelFile = "MLmodel"
    public static let manifestFile = "router.json"
    public static let exampleFile = "input_example.json"
    public static let membersFolder = "members"

    public let directory: String
    public let manifest: RouterManifest

    /// Where a pair's member lies, relative to the version: what its `RouterManifest.Member.file` says.
    public static func memberFile(pair: String) -> String { "\(membersFolder)/\(pair).onnx" }

    /// Every file a version may hold: its own three and the members its `router.json` names. A copy
    /// of a version (the registry mirror) takes these and nothing else.
    public static func files(of manifest: RouterManifest) -> [String] {
        [mlmodelFile, manifestFile, exampleFile] + manifest.members.map(\.file)
    }

    public var files: [String] { Self.files(of: manifest) }

    /// `file` of the version in `directory`, followed through links: it must lie inside the version.
    public static func confinedPath(_ file: String, in directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(file)
        try ConfinedPath.check(path, inside: directory, what: file)
        return path
    }

    public var manifestPath: String { (directory as NSString).appendingPathComponent(Self.manifestFile) }

    /// Reads and checks the version's `router.json`: inside the version, a manifest of the format this
    /// build reads, and of the version its folder is numbered (folder 8 whose router.json says 2 is
    /// neither). Every problem names the file.
    public init(directory: String) throws {
        let path = try Self.confinedPath(Self.manifestFile, in: directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFormatError.invalidModel(file: path, problem: "missing or unreadable")
        }
        let manifest = try Self.decodeManifest(data, file: path)
        guard manifest.formatVersion == RouterManifest.currentFormatVersion else {
            throw ModelFormatError.invalidModel(file: path, problem: "unknown format_version \(manifest.formatVersion)")
        }
        // A temporary directory being filled (`.tmp-<n>-…`) has no number of its own yet.
        if let folder = Int((directory as NSString).lastPathComponent), folder != manifest.version {
            throw ModelFormatError.invalidModel(
                file: path, problem: "says version \(manifest.version) but lies in version folder \(folder)")
        }
        self.directory = directory
        self.manifest = manifest
    }

    /// `router.json`'s bytes as a manifest, however they arrived (a file, a registry's download).
    public static func decodeManifest(_ data: Data, file: String) throws -> RouterManifest {
        do { return try ProjectJSON.decoder().decode(RouterManifest.self, from: data) } catch {
            throw ModelFormatError.invalidModel(file: file, problem: "not a router manifest (\(error))")
        }
    }

    /// The path of `member`'s file, refused when its name or a link leaves the version.
    public func memberPath(_ member: RouterManifest.Member) throws -> String {
        try Self.checkMemberFile(member.file, manifestPath: manifestPath)
        return try Self.confinedPath(member.file, in: directory)
    }

    static func checkMemberFile(_ file: String, manifestPath: String) throws {
        guard !file.contains(".."), !file.hasPrefix("/") else {
            throw ModelFormatError.invalidModel(
                file: manifestPath, problem: "member file \(file) leaves the version directory")
        }
    }

    /// The bytes of `input_example.json`, nil when the version has none.
    public static func example(in directory: String) throws -> Data? {
        let path = (directory as NSString).appendingPathComponent(exampleFile)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        try ConfinedPath.check(path, inside: directory, what: exampleFile)
        return FileManager.default.contents(atPath: path)
    }

    /// Writes a whole version into `directory`, which should be new and unseen, as `ModelStore.addVersion`'s
    /// temporary directory is: the rename that follows makes the version appear at once, so the files
    /// themselves are written in place. `members` holds the bytes of every file `manifest.members`
    /// names; `exampleRows` (each row its pair, then the feature columns) become `input_example.json`
    /// as a `dataframe_split`, none when nil.
    public static func write(
        manifest: RouterManifest, members: [(file: String, bytes: [UInt8])], exampleRows: [[Any]]?,
        mlmodelUUID: String, createdAt: Date, into directory: String
    ) throws {
        func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }
        let named = manifest.members.map(\.file).sorted(), given = members.map(\.file).sorted()
        guard named == given else {
            throw ModelFormatError.invalidModel(
                file: path(manifestFile),
                problem: "names the member files \(named) but the version was given \(given)")
        }
        // The folder even for a router of no members, as every version has had it.
        try FileManager.default.createDirectory(atPath: path(membersFolder), withIntermediateDirectories: true)
        for member in members {
            try checkMemberFile(member.file, manifestPath: path(manifestFile))
            try FileManager.default.createDirectory(
                atPath: (path(member.file) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(member.bytes).write(to: URL(fileURLWithPath: path(member.file)))
        }
        try ProjectJSON.encoder().encode(manifest).write(to: URL(fileURLWithPath: path(manifestFile)))
        if let exampleRows {
            let example: [String: Any] = [
                "dataframe_split": ["columns": ["pair"] + manifest.featureColumns, "data": exampleRows]
            ]
            try JSONSerialization.data(withJSONObject: example, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: path(exampleFile)))
        }
        try MLmodelFile.render(manifest: manifest, uuid: mlmodelUUID, createdAt: createdAt)
            .write(toFile: path(mlmodelFile), atomically: false, encoding: .utf8)
    }
}
