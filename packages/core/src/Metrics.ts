/**
 * Counters every Figgro request feeds, for dashboards and progress lines.
 * Read them with `Metric.value(...)`, or export them with any Effect metrics exporter.
 */
import * as Metric from "effect/Metric"

/** Requests sent (every attempt counts: each one spends budget). */
export const requests = Metric.counter("figgro_requests_total", { incremental: true })

/** Attempts that were a retry of a failed one. */
export const retries = Metric.counter("figgro_retries_total", { incremental: true })

/** 429 responses received. */
export const rateLimited = Metric.counter("figgro_rate_limited_total", { incremental: true })

/** Failed attempts, tagged `error` with the error's tag (`ServiceUnavailable`, `TimeoutError`, …). */
export const errors = Metric.counter("figgro_errors_total", { incremental: true })

/** Times `total_records` changed between two pages of one walk (live data shifting). */
export const drift = Metric.counter("figgro_drift_total", { incremental: true })
