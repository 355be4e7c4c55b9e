// The Hummingbird application behind mntrading-serve: routes, limits, timeouts, warmup, metrics, reload.
//
// Filled by issue #6; see ../shared/DESIGN.md. Nothing here yet, and no command pretends otherwise.
