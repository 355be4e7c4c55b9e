import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training
import Basics
import DevTools
import TrainingRecords

/// One line per pair and for the portfolio: the three periods side by side.
enum PeriodFigures {
    static func line(_ entry: PairReportEntry) -> String {
        let screen = entry.screen?.pvalue.map { String(format: "screen p %.3g", $0) } ?? "screen -"
        let oof = entry.backtest.map { String(format: "OOF Sharpe %.2f (%d trades)", $0.sharpe, $0.trades) } ?? "OOF -"
        let dsr = entry.deflatedSharpe.map { String(format: "DSR %.2f", $0) } ?? "DSR -"
        let holdout =
            entry.holdout.map { String(format: "holdout Sharpe %.2f (%d trades)", $0.sharpe, $0.trades) } ?? "holdout -"
        let auc = entry.oofRocAuc.map { String(format: "OOF AUC %.3f", $0) } ?? "OOF AUC -"
        let checked = entry.rescreens + [entry.holdoutRescreen].compactMap { $0 }
        let rescreened =
            checked.isEmpty
            ? "" : ", re-screened \(checked.filter { $0.passed != false }.count)/\(checked.count) passed"
        return [screen, oof, dsr, holdout, auc].joined(separator: ", ") + rescreened
            + (entry.antiPredictive ? ", anti-predictive" : "")
            + (entry.calibrationWarning.map { " (\($0))" } ?? "")
    }

    static func portfolio(_ result: SelectionResult) -> String {
        guard !result.selected.isEmpty else { return "" }
        let oof = result.portfolio.map { String(format: "; portfolio OOF Sharpe %.2f", $0.sharpe) } ?? ""
        let dsr = result.portfolioDeflatedSharpe.map { String(format: ", DSR %.2f", $0) } ?? ""
        let holdout = result.portfolioHoldout.map { String(format: ", holdout Sharpe %.2f", $0.sharpe) } ?? ""
        return oof + dsr + holdout
    }
}
