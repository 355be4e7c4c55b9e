import Foundation
@testable import Inference
@testable import Portfolio
import MarketData
import ModelFormat
@testable import Scoring

import Testing

@Suite struct ScheduleTests {
    let fiveMinutes = CycleSchedule(periodMilliseconds: 300_000, delayMilliseconds: 10_000)

    @Test func cyclesRunAtEachBarClosePlusTheDelay() {
        let close: Int64 = 1_717_200_000_000 // a multiple of 5 minutes
        #expect(fiveMinutes.nextRun(after: close) == close + 10_000)
        #expect(fiveMinutes.nextRun(after: close + 9_999) == close + 10_000)
        #expect(fiveMinutes.nextRun(after: close + 10_000) == close + 310_000)
        #expect(fiveMinutes.nextRun(after: close + 299_999) == close + 310_000)
        #expect(fiveMinutes.nextRun(after: close - 1) == close + 10_000)
    }

    @Test func durationsParseAsPeopleWriteThem() {
        #expect(CycleSchedule.parseDuration("5m") == 300_000)
        #expect(CycleSchedule.parseDuration("1h") == 3_600_000)
        #expect(CycleSchedule.parseDuration("10s") == 10_000)
        #expect(CycleSchedule.parseDuration("250ms") == 250)
        #expect(CycleSchedule.parseDuration("2.5") == 2_500)
        #expect(CycleSchedule.parseDuration("soon") == nil)
        #expect(CycleSchedule.parseDuration("-5m") == nil)
    }
}

@Suite struct RequestBodyTests {
    /// The server's own decoder (not Foundation's, which rounds some values) reads back exactly
    /// the numbers the client computed.
    @Test func numbersSurviveTheRoundTripThroughTheServersDecoderBitForBit() throws {
        let values: [Double] = [
            0.1, -1.2345678901234567e-300, 1e22, 3.141592653589793, -0.0, .leastNonzeroMagnitude, 123456789.00000001,
            2.5e-8
        ]
        let body = BodyBytes.dataframeSplit(
            columns: ["pair", "a\"b"] + values.indices.map { "x\($0)" },
            rows: [["X__Y", "ignored"] + values.map { $0 as Any }])
        let frame = try RequestDecoder.decode(body, contentType: "application/json")
        #expect(frame.columns == ["pair", "a\"b"] + values.indices.map { "x\($0)" })
        let row = try #require(frame.rows.first)
        #expect(row.first == .string("X__Y") && row[1] == .string("ignored"))
        for (cell, value) in zip(row.dropFirst(2), values) {
            guard case let .number(parsed) = cell else {
                Issue.record("\(cell) is not a number")
                continue
            }
            #expect(parsed.bitPattern == value.bitPattern, "\(value) came back as \(parsed)")
        }
        // The path the server takes for this body: straight to the Float matrix, the same Floats.
        let fast = try #require(
            FastJSONParser.plainDataframeSplit(
                BodyBytes(body), reading: RowReading(featureColumns: values.indices.map { "x\($0)" }, pairs: ["X__Y"])),
            "the client's body missed the server's fast path")
        #expect(zip(fast.values, values).allSatisfy { $0.bitPattern == Float($1).bitPattern })
    }
}
