import Foundation

/// A fresh directory under the system's temporary directory; the caller removes it.
public func temporaryDirectory(_ label: String = "test") throws -> String {
    let path = NSTemporaryDirectory() + "mntrading-\(label)-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
