import Foundation
import GRDB
import MarketData
import ModelFormat
import Backtest
import Basics
import Store
import TrainingRecords

/// `<data-dir>/portfolio/report_<bar>/`: summary.json, report.md and a self-contained report.html.
/// Built in a temporary directory and renamed into place, so a reader never sees half a report.
public enum ReportWriter {
    @discardableResult
    public static func write(_ data: ReportData, locations: Locations) throws -> String {
        let directory = locations.dataPath("portfolio", "report_\(OrderFiles.stamp(data.asOf))")
        let parent = (directory as NSString).deletingLastPathComponent
        let temporary = (parent as NSString).appendingPathComponent(
            ".\((directory as NSString).lastPathComponent).tmp-\(getpid())")
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try? manager.removeItem(atPath: temporary)
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            let summary = try ProjectJSON.encoder().encode(data.summary)
            try summary.write(to: URL(fileURLWithPath: temporary + "/summary.json"))
            try ReportRenderer.markdown(data).write(
                toFile: temporary + "/report.md", atomically: false, encoding: .utf8)
            try ReportRenderer.html(data).write(toFile: temporary + "/report.html", atomically: false, encoding: .utf8)
            // rename(2) cannot replace a non-empty directory: move the old one aside first.
            let old = temporary + ".old"
            try? manager.removeItem(atPath: old)
            if manager.fileExists(atPath: directory) { try manager.moveItem(atPath: directory, toPath: old) }
            guard rename(temporary, directory) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try? manager.removeItem(atPath: old)
            try AtomicFile.write(
                Data((directory as NSString).lastPathComponent.utf8),
                to: locations.dataPath("portfolio", "latest_report"))
        } catch let error as MarketDataError {
            try? manager.removeItem(atPath: temporary)
            throw error
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw MarketDataError.store("cannot write report '\(directory)': \(DataStore.reason(error))")
        }
        return directory
    }
}
