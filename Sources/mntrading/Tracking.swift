import CLISupport
import Foundation
import MarketData
import Store
import Tracking

extension TrackingOptions {
    /// Logs what a command made when a tracking URI is set (kept locally first; a server that is
    /// down costs one warning line, and `mntrading track sync` sends it later).
    func log(_ store: DataStore, _ made: () throws -> [(TrackedEntry, [(path: String, bytes: [UInt8])])]) throws {
        guard let uri = uri() else { return }
        let line = try Tracker(store: store).recordAndSync(try made(), trackingURI: uri)
        if line.hasPrefix("warning:") { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
}
