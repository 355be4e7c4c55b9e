import Testing

@testable import MarketData

struct CoarserBarsTests {
    /// 15m bars from 14:45 to 16:45 with 15:30 missing: the hour starting 14:00 has one of four,
    /// 15:00 three of four, 16:00 all four. Only 16:00 is kept, exactly.
    @Test func onlyCompleteBucketsAreKeptAndThePartialOnesCounted() {
        let hour: Int64 = 3_600_000, quarter: Int64 = 900_000
        let start = 14 * hour + 3 * quarter
        var bars: [Bar] = (0..<9).map { index in
            let price = 100 + Double(index)
            return Bar(
                openTime: start + Int64(index) * quarter, open: price, high: price + 2 + Double(index % 3),
                low: price - 1 - Double(index % 2), close: price + 0.5, volume: Double(index) + 0.25)
        }
        bars.remove(at: 3) // 15:30
        let derived = CoarserBars(bars, from: .m15, into: .h1)
        #expect(derived.partial == 2)
        #expect(derived.bars.count == 1)
        let whole = bars.suffix(4)
        let bar = derived.bars[0]
        #expect(bar.openTime == 16 * hour)
        #expect(bar.open == whole.first!.open && bar.close == whole.last!.close)
        #expect(bar.high == whole.map(\.high).max()! && bar.low == whole.map(\.low).min()!)
        #expect(bar.volume == whole.dropFirst().reduce(whole.first!.volume) { $0 + $1.volume })
    }

    @Test func theSourceIsTheLongestShorterTimeframeThatDividesTheTarget() {
        #expect(CoarserBars.source(for: .h1, among: [.m1, .m5, .m15, .h4]) == .m15)
        #expect(CoarserBars.source(for: .h1, among: [.h1, .h4]) == nil)
        #expect(CoarserBars.source(for: .h2, among: [.m30, .d1]) == .m30)
        #expect(CoarserBars.source(for: .m5, among: [.m3]) == nil)
    }
}
