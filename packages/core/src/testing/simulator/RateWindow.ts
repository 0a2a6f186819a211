/**
 * The server side of the rate limit: per key, a sliding log of the accepted
 * requests of the last `window` milliseconds. A request is accepted when
 * fewer than `limit` accepted requests are younger than `window`.
 *
 * Rejected (429) requests are not counted: otherwise a client that retries
 * too early would push its own recovery further away, and the documented
 * "wait Retry-After, then retry" would not be guaranteed to work.
 */

/** What the `X-RateLimit-*` headers say after a request. Times are epoch milliseconds. */
export interface RateState {
  readonly limit: number
  readonly remaining: number
  /** When `remaining` next rises: the oldest counted request leaves the window (or now + window when empty). */
  readonly resetAt: number
}

/** The verdict on one request. */
export type Verdict =
  | { readonly _tag: "Accepted"; readonly state: RateState }
  | { readonly _tag: "Rejected"; readonly state: RateState; readonly retryAfterMillis: number }

export interface RateWindow {
  /** Counts the request at `now` if the window has room. */
  readonly take: (key: string, now: number) => Verdict
  /** The state without counting anything. */
  readonly peek: (key: string, now: number) => RateState
}

export const make = (limit: number, windowMillis: number): RateWindow => {
  const logs = new Map<string, Array<number>>()

  const prune = (key: string, now: number): Array<number> => {
    let log = logs.get(key)
    if (log === undefined) {
      log = []
      logs.set(key, log)
    }
    // A request made at t is inside the window until t + window (exclusive).
    let expired = 0
    while (expired < log.length && log[expired]! + windowMillis <= now) expired++
    if (expired > 0) log.splice(0, expired)
    return log
  }

  const state = (log: ReadonlyArray<number>, now: number): RateState => ({
    limit,
    remaining: Math.max(0, limit - log.length),
    resetAt: (log[0] ?? now) + windowMillis
  })

  return {
    take: (key, now) => {
      const log = prune(key, now)
      if (log.length >= limit) {
        const s = state(log, now)
        return { _tag: "Rejected", state: s, retryAfterMillis: s.resetAt - now }
      }
      log.push(now)
      return { _tag: "Accepted", state: state(log, now) }
    },
    peek: (key, now) => state(prune(key, now), now)
  }
}

/**
 * The largest number of `times` (sorted, epoch ms) inside any rolling window
 * of `windowMillis` — two pointers, O(n). Used to prove a client never
 * exceeded the limit.
 */
export const maxInAnyWindow = (times: ReadonlyArray<number>, windowMillis: number): number => {
  let best = 0
  let first = 0
  for (let last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMillis) first++
    best = Math.max(best, last - first + 1)
  }
  return best
}
