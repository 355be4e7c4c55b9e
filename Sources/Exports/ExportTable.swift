import Parquet

/// The tables `mntrading export` writes, each with its columns as exported: the store's columns,
/// times as UTC millisecond timestamps, integers as INT64, nullable where the store allows NULL.
public enum ExportTable: String, CaseIterable, Sendable {
    case bars, features, datasets, signals, orders, ledger, fills, predictions

    /// The one-line description `--help` lists.
    public var summary: String {
        switch self {
        case .bars: "candles by symbol and timeframe (MarketData)"
        case .features: "each pair's feature rows (PairResearch)"
        case .datasets: "a dataset's labelled rows: the newest, or --dataset (PairResearch)"
        case .signals: "scored bars by pair and model version (Portfolio)"
        case .orders: "each bar's order legs (Portfolio)"
        case .ledger: "the paper ledger's marks: position, equity, P&L by pair and bar"
        case .fills: "the paper ledger's fills (Portfolio)"
        case .predictions: "out-of-fold predictions: the newest complete run, or --run"
        }
    }

    public var schema: ParquetSchema {
        typealias C = ParquetSchema.Column
        switch self {
        case .bars:
            return ParquetSchema(
                [C("symbol", .string), C("timeframe", .string), C("open_time", .timestampMillis)]
                    + ["open", "high", "low", "close", "volume"].map { C($0, .double) } + [C("is_filled", .boolean)])
        case .features:
            return ParquetSchema(
                [C("pair", .string), C("timeframe", .string), C("open_time", .timestampMillis)]
                    + Self.featureColumns.map { C($0, .double) })
        case .datasets:
            return ParquetSchema([
                C("dataset_id", .string), C("pair", .string), C("open_time", .timestampMillis),
                C("label", .int64, nullable: true), C("forward_move", .double, nullable: true)
            ])
        case .signals:
            return ParquetSchema(
                [
                    C("pair", .string), C("open_time", .timestampMillis), C("model_version", .int64),
                    C("model_name", .string), C("timeframe", .string), C("leg_a", .string), C("leg_b", .string),
                    C("proba", .double), C("signal", .int64)
                ]
                    + ["threshold", "z", "beta", "close_a", "close_b", "spread_volatility"].map { C($0, .double) }
                    + [C("scored_at", .timestampMillis)])
        case .orders:
            return ParquetSchema(
                [
                    C("as_of", .timestampMillis), C("model_version", .int64), C("pair", .string),
                    C("symbol", .string), C("side", .string)
                ]
                    + ["notional", "quantity", "price", "weight", "proba"].map { C($0, .double) }
                    + [C("parameters", .string)])
        case .ledger:
            return ParquetSchema(
                [C("pair", .string), C("open_time", .timestampMillis), C("model_version", .int64)]
                    + ["position", "decided", "equity_before", "equity", "pnl", "cost"].map { C($0, .double) }
                    + [
                        C("status", .string), C("z", .double, nullable: true), C("proba", .double, nullable: true),
                        C("signal", .int64, nullable: true), C("ret", .double, nullable: true)
                    ])
        case .fills:
            return ParquetSchema(
                [
                    C("pair", .string), C("open_time", .timestampMillis), C("symbol", .string),
                    C("model_version", .int64), C("side", .string)
                ]
                    + ["quantity", "price", "notional", "cost"].map { C($0, .double) }
                    + [C("reason", .string), C("decided_at", .timestampMillis)])
        case .predictions:
            return ParquetSchema([
                C("run_id", .string), C("pair", .string), C("open_time", .timestampMillis), C("fold", .int64),
                C("raw", .double), C("calibrated", .double), C("label", .int64)
            ])
        }
    }

    /// The `features` table's value columns, in the store's order.
    static let featureColumns = [
        "close_a", "close_b", "beta", "alpha", "spread", "z", "z_velocity", "z_acceleration", "spread_volatility",
        "half_life", "volume_ratio_a", "volume_ratio_b", "beta_long", "z_long"
    ]
}
