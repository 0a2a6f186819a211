/**
 * When to try a failed request again, and how long to wait first.
 *
 * Exponential backoff with jitter, capped per delay, bounded in attempts and
 * in total time. A 429 waits at least its `Retry-After`; one that asks for
 * longer than `maxRetryAfter` is not retried (it fails instead of hanging).
 * 400, 401, 403 and 404 are never retried: they cannot succeed and each
 * retry would spend a request of the hourly budget.
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type { RetryOptions } from "./FiggroConfig.js"
import { type FiggroError, isRetryable } from "./FiggroError.js"

/** Whether `error` should be retried under `options`. */
export const shouldRetry = (options: RetryOptions) => (error: FiggroError): boolean =>
  isRetryable(error) &&
  !(error._tag === "RateLimited" && error.retryAfterMillis > Duration.toMillis(options.maxRetryAfter))

/** The retry schedule for one request; its input is the error of the attempt that failed. */
export const schedule = (options: RetryOptions): Schedule.Schedule<unknown, FiggroError> => {
  const maxDelay = options.maxDelay
  // Jitter first, then cap: maxDelay is the largest delay, jitter included.
  const backoff = Schedule.exponential(options.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((delay) => Duration.min(delay, maxDelay))
  )
  return Schedule.intersect(backoff, Schedule.identity<FiggroError>()).pipe(
    // Retry-After is a floor: never ask again sooner than the server said.
    Schedule.modifyDelay(([, error], delay) =>
      error._tag === "RateLimited" ? Duration.max(delay, Duration.millis(error.retryAfterMillis)) : delay
    ),
    Schedule.whileInput(shouldRetry(options)),
    Schedule.intersect(Schedule.recurs(options.maxAttempts - 1)),
    Schedule.upTo(options.deadline)
  )
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (`"120"`) or an
 * HTTP-date (`"Wed, 21 Oct 2026 07:28:00 GMT"`), as RFC 9110 allows.
 * Undefined when absent or unreadable.
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
