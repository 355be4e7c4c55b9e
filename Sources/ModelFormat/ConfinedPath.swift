import Foundation

/// Paths of the model store followed through symbolic links, so that nothing a version loads lies
/// outside the folder it was given: a version folder, `members/`, a member file, `router.json` or a
/// model folder that links elsewhere is refused on every route (`models:/` URI, path, hot swap).
public enum ConfinedPath {
    /// `path` with every symbolic link resolved (as far as the path exists).
    public static func real(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Throws unless `path`, followed through links, is `directory` or lies inside it.
    public static func check(_ path: String, inside directory: String, what: String) throws {
        let base = real(directory), target = real(path)
        guard target == base || target.hasPrefix(base == "/" ? "/" : base + "/") else {
            let how = target == URL(fileURLWithPath: path).standardizedFileURL.path ? "lies" : "is a link to \(target),"
            throw ModelFormatError.invalidModel(file: path, problem: "\(what) \(how) outside \(directory)")
        }
    }
}
