// Backtest, selection, aggregation into orders, reports.
//
// Filled by issues #4 and #7; see ../shared/DESIGN.md. Nothing here yet, and no command pretends otherwise.
