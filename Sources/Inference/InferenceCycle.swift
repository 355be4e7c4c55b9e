import Foundation
import HTTPClient
import Logging
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Basics
import Store

/// One inference cycle: newest closed bars → features (the training code, so no train/serve skew)
/// → one `dataframe_split` request → signals (store + JSONL) → orders → report.
///
/// Nothing is written for a cycle whose request fails: the metadata and the scoring come first
/// among the writes that matter, and every later write is a transaction or a temp file + rename
/// keyed by the scored bar, so a cycle killed anywhere is completed by the next one and running
/// the same cycle twice leaves the store as it was.
public struct InferenceCycle: Sendable {
    public let client: ScoringClient
    public let store: DataStore
    public let locations: Locations
    public let options: InferenceOptions
    let logger = Logger(label: "mntrading.infer")

    public init(client: ScoringClient, store: DataStore, locations: Locations, options: InferenceOptions) {
        self.client = client
        self.store = store
        self.locations = locations
        self.options = options
    }

    public func run(now: Int64 = UTCTime.nowMilliseconds()) throws -> CycleResult {
        var timings: [(String, Double)] = []
        var clock = Date()
        func checkpoint(_ name: String) {
            guard name == options.pauseAt else { return }
            FileHandle.standardError.write(Data("paused at \(name)\n".utf8))
            while true { Thread.sleep(forTimeInterval: 3600) }
        }
        func lap(_ step: String) {
            timings.append((step, Date().timeIntervalSince(clock)))
            clock = Date()
            checkpoint(step)
        }
        let (model, rawMetadata, timeframe, definition, pairs) = try served()
        lap("metadata")

        let parameters = FeatureParameters(
            betaWindow: model.featureParameters.betaWindow, zWindow: model.featureParameters.zWindow)
        try ingest(
            symbols: Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted(), timeframe: timeframe, model: model,
            warmUpBars: parameters.warmUp + definition.lagFeatures + options.nLast + 2, now: now)
        lap("ingest")
        _ = try FeatureStage(store: store).update(pairs: pairs, timeframe: timeframe, parameters: parameters)
        lap("features")

        var booking = LedgerBooking(
            bars: store, ledger: store, broker: broker(for: model), timeframe: timeframe, model: model,
            modelSource: modelSource)
        booking.rescreen = try dailyRescreen(model: model, pairs: pairs, now: now)
        let newestBooked = try booking.newestBooked()
        let request = try buildRequest(
            pairs: pairs, definition: definition, timeframe: timeframe, now: now, after: newestBooked)
        if options.warmup, let first = request.rows.first {
            // One tiny request first, so a cold server's first real answer is not the slow one.
            _ = try client.invoke(BodyBytes.dataframeSplit(columns: request.columns, rows: [first.values]), rows: 1)
        }
        let (predictions, rawResponse) = try score(request)
        let records = try signals(from: predictions, request: request, model: model, timeframe: timeframe, now: now)
        if let newestBooked, let newestScored = records.map(\.openTime).max(), newestScored < newestBooked {
            throw InferenceError.invalidInput(
                """
                the newest closed bar (\(UTCTime.format(newestScored))) is before the ledger's newest booked bar \
                (\(UTCTime.format(newestBooked))): nothing written
                """)
        }
        lap("request")

        try AtomicFile.write(rawResponse, to: locations.dataPath("signals", "latest_raw_response.txt"))
        try AtomicFile.write(rawMetadata, to: SignalFiles.latestMetadataPath(locations))
        // Signals and the bars they book go into the ledger in one transaction. The day of the
        // newest signal stored before this insert is rewritten too: a cycle killed between its
        // insert and its rewrite, just before midnight, is completed by the next one.
        let outcome = try booking.book(records)
        for warning in outcome.booked.flatMap(\.warnings) { logger.warning("\(warning)") }
        for event in outcome.booked.flatMap(\.events) {
            logger.notice(
                "ledger: \(event.pair.isEmpty ? "portfolio" : event.pair) \(event.from) -> \(event.to) at \(UTCTime.format(event.openTime)): \(event.reason)"
            )
        }
        checkpoint("signals-inserted")
        try SignalFiles.rewrite(
            days: Set(records.map(\.day) + [outcome.previousNewestSignal].compactMap { $0.map(SignalRecord.day) }),
            store: store, locations: locations)
        lap("signals")

        // Every row was answered (`signals` checks it), so there is a first record.
        let version = records[0].modelVersion
        guard let latest = try SignalRecords.latest(modelVersion: version, store: store) else {
            throw InferenceError.invalidInput("no signals stored for model version \(version)")
        }
        let state = outcome.state
        let newestBar =
            outcome.booked.last
            ?? LedgerBar(openTime: state.newestBar ?? latest.asOf, modelVersion: state.modelVersion ?? version)
        let newestSignals =
            outcome.booked.isEmpty
            ? Dictionary(latest.signals.map { ($0.pair, $0) }, uniquingKeysWith: { first, _ in first })
            : outcome.newestSignals
        var book = OrderBook(
            ledger: booking.broker.projected(state), bar: newestBar, signals: newestSignals, modelName: model.name,
            parameters: options.aggregation)
        // The fill the training backtest assumed, which the ledger books by.
        if model.version == version { book.execution = model.execution?.summary }
        let written = try OrderFiles.write(book, store: store, locations: locations)
        lap("aggregate")

        let report = try ReportData.load(
            store: store, locations: locations, model: model.version == version ? model : nil,
            dataSource: options.bars.source.rawValue, latest: latest,
            book: book)
        let directory = try ReportWriter.write(report, locations: locations)
        lap("report")

        return CycleResult(
            asOf: latest.asOf, modelVersion: version, rowsScored: records.count, signalsInserted: outcome.inserted,
            longSignals: latest.signals.filter { $0.signal > 0 }.count,
            shortSignals: latest.signals.filter { $0.signal < 0 }.count,
            orders: book.orders.count, gross: book.totals.gross, reportDirectory: directory, ordersFile: written,
            timings: timings, barsBooked: outcome.booked.count, fills: outcome.booked.reduce(0) { $0 + $1.fills.count },
            ledgerEquity: state.equity)
    }

    /// The training run's screen for the daily re-screen, its bars brought up to the day's start
    /// when the cycle has a source (with --source store, whatever the store holds). nil when this
    /// store does not hold the run's screen, or with --monitor-only.
    func dailyRescreen(model: ModelMetadata, pairs: [PairID], now: Int64) throws -> DailyRescreen? {
        guard options.limits.degradedStopsEntries,
            let rescreen = DailyRescreen.load(store: store, trainingRun: model.trainingRun)
        else { return nil }
        let timeframe = rescreen.parameters.timeframe
        if try options.bars.ingestSource() != nil {
            try ingest(
                symbols: Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted(), timeframe: timeframe, model: model,
                warmUpBars: Int(rescreen.length / timeframe.milliseconds) + 1, now: now)
        }
        return rescreen
    }

    /// The models directory a ledger is kept for, as an absolute path (the same directory named two
    /// ways is one source).
    var modelSource: String { URL(fileURLWithPath: locations.modelsDirectory).standardizedFileURL.path }

    func broker(for model: ModelMetadata) -> PaperBroker {
        let above = model.pairs.filter { $0.threshold < options.aggregation.minProba }.map(\.pair)
        if !above.isEmpty {
            logger.warning(
                "--min-proba \(options.aggregation.minProba) is above the threshold of \(above.joined(separator: ", ")): the ledger enters those pairs less often than their backtest did"
            )
        }
        return PaperBroker(
            execution: model.execution ?? Execution(), sizing: options.aggregation, limits: options.limits)
    }

    /// The request's rows in pieces of at most `options.rowsPerRequest`, answers joined in order.
    func score(_ request: Request) throws -> (predictions: [Prediction], raw: String) {
        var predictions: [Prediction] = []
        var raw = ""
        var start = 0
        repeat {
            let end = min(start + options.rowsPerRequest, request.rows.count)
            let answer = try client.invoke(
                BodyBytes.dataframeSplit(columns: request.columns, rows: request.rows[start..<end].map(\.values)),
                rows: end - start)
            predictions += answer.predictions
            raw = answer.raw
            start = end
        } while start < request.rows.count
        return (predictions, raw)
    }

    /// The served model (after `--warmup`'s wait), its bars' timeframe, the dataset definition its
    /// feature columns need, and its pairs.
    func served() throws -> (
        model: ModelMetadata, raw: Data, timeframe: Timeframe, definition: DatasetDefinition, pairs: [PairID]
    ) {
        if options.warmup { try client.waitUntilReady(timeout: options.warmupTimeout) }
        let (model, raw) = try client.metadata()
        let timeframe = try Timeframe.parse(model.featureParameters.timeframe)
        let definition = try datasetDefinition(model, timeframe: timeframe)
        let pairs = try model.pairs.map { member -> PairID in
            guard member.legs.count == 2 else {
                throw InferenceError.invalidInput("pair \(member.pair) has \(member.legs.count) legs, not 2")
            }
            return PairID(a: member.legs[0], b: member.legs[1])
        }
        guard !pairs.isEmpty else { throw InferenceError.invalidInput("the served model has no pairs") }
        return (model, raw, timeframe, definition, pairs)
    }

    func datasetDefinition(_ model: ModelMetadata, timeframe: Timeframe) throws -> DatasetDefinition {
        var definition = DatasetDefinition()
        definition.timeframe = timeframe
        definition.lagFeatures = model.featureParameters.lagFeatures
        definition.horizon = model.featureParameters.horizon
        definition.zscoreThreshold = model.featureParameters.zscoreThreshold
        definition.labelType = LabelType(rawValue: model.featureParameters.labelType) ?? .zThreshold
        guard definition.featureNames == model.featureColumns else {
            throw InferenceError.invalidInput(
                """
                the served model's feature columns (\(model.featureColumns.joined(separator: ","))) are not the ones this client computes \
                (\(definition.featureNames.joined(separator: ","))): client and server are different versions
                """)
        }
        return definition
    }

    /// Brings every leg up to the newest closed bar. A symbol the store has never seen starts where
    /// the model's training started (minus the feature warm-up), so the expanding features
    /// (`beta_long`, `z_long`) see the history they saw in training.
    func ingest(symbols: [String], timeframe: Timeframe, model: ModelMetadata, warmUpBars: Int, now: Int64) throws {
        let stored = Dictionary(
            try store.summaries(timeframe: timeframe).map { ($0.symbol, $0.lastOpenTime) }, uniquingKeysWith: max)
        let trainingStart = model.trainingWindow.flatMap { UTCTime.parse($0.first) }
        let fresh = (trainingStart ?? now) - Int64(warmUpBars) * timeframe.milliseconds
        guard let source = try options.bars.ingestSource() else {
            let missing = symbols.filter { stored[$0] == nil }
            guard missing.isEmpty else {
                throw InferenceError.invalidInput(
                    "--source store, but the store has no \(timeframe) bars for \(missing.joined(separator: ", "))")
            }
            return
        }
        // One request per starting point: a symbol new to the store must not make every other leg
        // download its whole history again.
        let starts = Dictionary(grouping: symbols) { stored[$0].map { $0 + timeframe.milliseconds } ?? fresh }
        for (since, group) in starts.sorted(by: { $0.key < $1.key }) where since + timeframe.milliseconds <= now {
            let summary = try Ingestor(store: store).run(
                source, IngestRequest(symbols: group, timeframe: timeframe, since: since, until: now), now: now)
            logger.info("\(summary.line)")
        }
    }

    struct Request {
        struct Row {
            var pair: PairID
            var feature: FeatureRow
            var values: [Any]
        }
        var columns: [String]
        var rows: [Row]
    }

    /// The newest `--n-last` rows of every pair, and every row after `after` (the ledger's newest
    /// booked bar), so bars a stopped timer missed are booked in order when it comes back.
    func buildRequest(
        pairs: [PairID], definition: DatasetDefinition, timeframe: Timeframe, now: Int64, after: Int64? = nil
    ) throws -> Request {
        var rows: [Request.Row] = []
        for pair in pairs {
            let missed =
                try after.map { try store.featureRows(pair: pair.text, timeframe: timeframe, from: $0 + 1).count } ?? 0
            let count = max(options.nLast, missed)
            let recent = try store.latestFeatureRows(
                pair: pair.text, timeframe: timeframe, count: count + definition.lagFeatures)
            let dataset = PairDataset(pair: pair.text, rows: recent, definition: definition)
            let width = dataset.featureNames.count
            for index in max(0, dataset.count - count)..<dataset.count {
                // Dataset row i is feature row i + L: the first L rows only supply lags.
                let values: [Any] = [pair.text] + (0..<width).map { dataset.features[index * width + $0] }
                rows.append(.init(pair: pair, feature: recent[index + definition.lagFeatures], values: values))
            }
            if dataset.count == 0 {
                logger.warning(
                    "\(pair.text): no feature rows yet (the windows need \(definition.lagFeatures + 1) rows after the warm-up); skipped"
                )
            }
        }
        guard !rows.isEmpty else {
            throw InferenceError.invalidInput(
                "no pair has feature rows to score; the store needs more \(timeframe) bars for the model's windows")
        }
        if let newest = rows.map(\.feature.openTime).max(),
            now - (newest + timeframe.milliseconds) > 2 * timeframe.milliseconds
        {
            logger.warning("the newest closed bar is \(UTCTime.format(newest)): the data is behind the clock")
        }
        return Request(columns: ["pair"] + definition.featureNames, rows: rows)
    }

    func signals(
        from predictions: [Prediction], request: Request, model: ModelMetadata, timeframe: Timeframe, now: Int64
    ) throws -> [SignalRecord] {
        guard predictions.count == request.rows.count else {
            throw InferenceError.serverRejected(
                "the server answered \(predictions.count) predictions for \(request.rows.count) rows; nothing written")
        }
        let members = Dictionary(model.pairs.map { ($0.pair, $0) }, uniquingKeysWith: { first, _ in first })
        return try zip(predictions, request.rows).map { prediction, row in
            guard prediction.pair == row.pair.text else {
                throw InferenceError.serverRejected(
                    "the server answered a prediction for \(prediction.pair) where \(row.pair.text) was asked; nothing written"
                )
            }
            guard prediction.modelVersion == model.version else {
                throw InferenceError.serverRejected(
                    """
                    the server answered with model version \(prediction.modelVersion) where its /metadata named \(model.version) \
                    (did the alias move during the cycle?); nothing written
                    """)
            }
            guard prediction.proba.isFinite, (0...1).contains(prediction.proba), [-1, 0, 1].contains(prediction.signal)
            else {
                throw InferenceError.serverRejected(
                    """
                    the server answered proba \(prediction.proba), signal \(prediction.signal) for \(row.pair.text): outside the protocol \
                    (proba in [0, 1], signal -1, 0 or 1); nothing written
                    """)
            }
            if let problem = Self.inconsistency(prediction, member: members[row.pair.text], z: row.feature.z) {
                throw InferenceError.serverRejected(
                    "the server answered \(problem) for \(row.pair.text); nothing written")
            }
            let f = row.feature
            return SignalRecord(
                pair: row.pair.text, openTime: f.openTime, modelName: model.name, modelVersion: prediction.modelVersion,
                timeframe: timeframe.rawValue, legA: row.pair.a, legB: row.pair.b, proba: prediction.proba,
                signal: prediction.signal, threshold: prediction.threshold, z: f.z, beta: f.beta,
                closeA: f.closeA, closeB: f.closeB, spreadVolatility: f.spreadVolatility, scoredAt: now)
        }
    }

    /// What is wrong with an answer that does not follow from the member's own rule (the
    /// threshold /metadata named; a signal only at or above it, against the stretch, on a bar
    /// stretched at least the member's entry |z|), or nil. The server compares z in the precision
    /// it scores in, so the entry boundary is given a little room.
    static func inconsistency(_ prediction: Prediction, member: ModelMetadata.Member?, z: Double) -> String? {
        guard let member else { return "a pair its /metadata does not list" }
        guard prediction.threshold == member.threshold else {
            return "threshold \(prediction.threshold) where its /metadata names \(member.threshold)"
        }
        let entry = member.entryZ ?? 0, room = 1e-6 * max(1, entry)
        if prediction.signal != 0 {
            guard prediction.proba >= member.threshold else {
                return
                    "signal \(prediction.signal) with proba \(prediction.proba) under the threshold \(member.threshold)"
            }
            guard z.isFinite, z != 0, prediction.signal == (z > 0 ? -1 : 1) else {
                return "signal \(prediction.signal) on z \(z): a position with the stretch, not against it"
            }
            guard abs(z) >= entry - room else {
                return "signal \(prediction.signal) on |z| \(abs(z)) under the entry stretch \(entry)"
            }
        } else if prediction.proba >= member.threshold, z.isFinite, z != 0, abs(z) > entry + room {
            return
                "signal 0 with proba \(prediction.proba) at or above the threshold \(member.threshold) on |z| \(abs(z))"
        }
        return nil
    }
}

/// The request body, written by hand: a few hundred numbers, printed with Swift's shortest
/// round-trip formatting so the server parses back exactly the values computed here.
enum BodyBytes {
    static func dataframeSplit(columns: [String], rows: [[Any]]) -> [UInt8] {
        var text =
            #"{"dataframe_split":{"columns":["# + columns.map(ProjectJSON.quoted).joined(separator: ",")
            + #"],"data":["#
        text += rows.map { row in
            "["
                + row.map { value in
                    switch value {
                    case let string as String: ProjectJSON.quoted(string)
                    case let number as Double: number.isFinite ? "\(number)" : "null"
                    default: "null"
                    }
                }.joined(separator: ",") + "]"
        }.joined(separator: ",")
        text += "]}}"
        return Array(text.utf8)
    }
}
