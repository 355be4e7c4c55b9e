import Foundation
import MarketData
import Backtest

/// Small inline SVG charts for the HTML report: no scripts, no external files, so the report opens
/// anywhere (a mail attachment, an air-gapped machine) and renders the same in every browser.
public enum SVGChart {
    public struct Series {
        public var name: String
        public var points: [(x: Int64, y: Double)]
        public var color: String

        public init(name: String, points: [(x: Int64, y: Double)], color: String) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    ]

    /// A time-series line chart with min/max labels on both axes; `fillToZero` shades the area
    /// between the line and 0 (drawdowns).
    public static func lines(
        _ series: [Series], title: String, width: Int = 720, height: Int = 240,
        format: (Double) -> String, fillToZero: Bool = false
    ) -> String {
        let all = series.flatMap(\.points)
        guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max(), var minY = all.map(\.y).min(),
            var maxY = all.map(\.y).max()
        else {
            return empty(title: title, width: width, height: height)
        }
        if fillToZero {
            minY = min(minY, 0)
            maxY = max(maxY, 0)
        }
        if maxY - minY < 1e-12 {
            minY -= 0.5
            maxY += 0.5
        }
        let left = 64.0, right = 16.0, top = 28.0, bottom = 28.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        func px(_ x: Int64) -> Double {
            left + (maxX == minX ? plotWidth / 2 : Double(x - minX) / Double(maxX - minX) * plotWidth)
        }
        func py(_ y: Double) -> Double { top + (maxY - y) / (maxY - minY) * plotHeight }
        var svg = header(title: title, width: width, height: height)
        svg +=
            ##"<rect x="\##(fmt(left))" y="\##(fmt(top))" width="\##(fmt(plotWidth))" height="\##(fmt(plotHeight))" fill="#fafafa" stroke="#ccc"/>"##
        for (value, anchorY) in [(maxY, top + 4), (minY, top + plotHeight)] {
            svg +=
                ##"<text x="\##(fmt(left - 6))" y="\##(fmt(anchorY))" text-anchor="end" font-size="11" fill="#555">\##(escape(format(value)))</text>"##
        }
        if minY < 0 && maxY > 0 {
            svg +=
                ##"<line x1="\##(fmt(left))" x2="\##(fmt(left + plotWidth))" y1="\##(fmt(py(0)))" y2="\##(fmt(py(0)))" stroke="#999" stroke-dasharray="3,3"/>"##
        }
        let baseline = Double(height) - 8
        svg +=
            ##"<text x="\##(fmt(left))" y="\##(fmt(baseline))" font-size="11" fill="#555">\##(escape(UTCTime.format(minX)))</text>"##
        svg +=
            ##"<text x="\##(fmt(left + plotWidth))" y="\##(fmt(baseline))" text-anchor="end" font-size="11" fill="#555">\##(escape(UTCTime.format(maxX)))</text>"##
        for line in series where !line.points.isEmpty {
            let path = line.points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            if fillToZero, let first = line.points.first, let last = line.points.last {
                let area = "\(fmt(px(first.x))),\(fmt(py(0))) " + path + " \(fmt(px(last.x))),\(fmt(py(0)))"
                svg += ##"<polygon points="\##(area)" fill="\##(line.color)" fill-opacity="0.25" stroke="none"/>"##
            }
            svg +=
                ##"<polyline points="\##(path)" fill="none" stroke="\##(line.color)" stroke-width="1.5"><title>\##(escape(line.name))</title></polyline>"##
        }
        if series.count > 1 {
            for (index, line) in series.enumerated() {
                let x = left + 8 + Double(index % 4) * 170, y = top + 14 + Double(index / 4) * 14
                svg += ##"<rect x="\##(fmt(x))" y="\##(fmt(y - 8))" width="10" height="3" fill="\##(line.color)"/>"##
                svg +=
                    ##"<text x="\##(fmt(x + 14))" y="\##(fmt(y - 4))" font-size="10" fill="#333">\##(escape(line.name))</text>"##
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars around zero: positive (buy) green, negative (sell) red.
    static func bars(
        _ values: [(label: String, value: Double)], title: String, width: Int = 720, format: (Double) -> String
    ) -> String {
        let rowHeight = 22.0, top = 28.0
        let height = Int(top + rowHeight * Double(max(values.count, 1)) + 12)
        guard let extent = values.map({ abs($0.value) }).max(), extent > 0 else {
            return empty(title: title, width: width, height: 80)
        }
        let labelWidth = 170.0, right = 90.0
        let half = (Double(width) - labelWidth - right) / 2
        let zero = labelWidth + half
        var svg = header(title: title, width: width, height: height)
        svg +=
            ##"<line x1="\##(fmt(zero))" x2="\##(fmt(zero))" y1="\##(fmt(top - 4))" y2="\##(height - 6)" stroke="#999"/>"##
        for (index, entry) in values.enumerated() {
            let y = top + Double(index) * rowHeight
            let length = abs(entry.value) / extent * half
            let x = entry.value >= 0 ? zero : zero - length
            let color = entry.value >= 0 ? "#2ca02c" : "#d62728"
            svg +=
                ##"<text x="\##(fmt(labelWidth - 8))" y="\##(fmt(y + 14))" text-anchor="end" font-size="11" fill="#333">\##(escape(entry.label))</text>"##
            svg +=
                ##"<rect x="\##(fmt(x))" y="\##(fmt(y + 3))" width="\##(fmt(max(length, 1)))" height="\##(fmt(rowHeight - 8))" fill="\##(color)"/>"##
            svg +=
                ##"<text x="\##(fmt(Double(width) - 4))" y="\##(fmt(y + 14))" text-anchor="end" font-size="11" fill="#333">\##(escape(format(entry.value)))</text>"##
        }
        return svg + "</svg>"
    }

    static func header(title: String, width: Int, height: Int) -> String {
        ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" role="img" aria-label="\##(escape(title))">"##
            + ##"<rect width="100%" height="100%" fill="#ffffff"/>"##
            + ##"<text x="8" y="16" font-size="13" font-weight="bold" fill="#222">\##(escape(title))</text>"##
    }

    static func empty(title: String, width: Int, height: Int) -> String {
        header(title: title, width: width, height: height)
            + ##"<text x="\##(width / 2)" y="\##(height / 2)" text-anchor="middle" font-size="12" fill="#777">no data</text></svg>"##
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Running drawdown (≤ 0) of an equity curve.
    static func drawdown(_ equity: [EquityPoint]) -> [(x: Int64, y: Double)] {
        var peak = -Double.infinity
        return equity.map { point in
            peak = max(peak, point.equity)
            return (point.time, peak > 0 ? point.equity / peak - 1 : 0)
        }
    }
}
