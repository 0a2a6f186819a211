/**
 * The request budget: the documented 1,000 requests per rolling 60 minutes
 * per key, consulted before every request (retries included).
 *
 * The interface is small so that another store (Redis, shared by many
 * processes) can replace the in-memory one: `acquire` waits until a request
 * may go out and counts it, `observe` learns from the server's headers,
 * `block` closes the gate for everyone after a 429.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { BudgetError, RateLimitSnapshot } from "./FiggroError.js"
import { countedWindow, FiggroConfig } from "./FiggroConfig.js"

/** What the budget knows now, for progress displays. Times are epoch milliseconds. */
export interface BudgetSnapshot {
  readonly limit: number
  /** Requests that may go out now without waiting (0 while the gate is closed). */
  readonly remaining: number
  /** When `remaining` next rises (the oldest counted request leaves the window); undefined when nothing is counted. */
  readonly resetAt: number | undefined
  /** Set after a 429: no request goes out before this moment. */
  readonly blockedUntil: number | undefined
}

export interface RateBudgetShape {
  /** Waits until the window has a free slot and the gate is open, then counts one request. */
  readonly acquire: Effect.Effect<void, BudgetError>
  /** Learns from `X-RateLimit-*` headers: another program may be spending the same key. */
  readonly observe: (headers: RateLimitSnapshot) => Effect.Effect<void, BudgetError>
  /** Closes the gate for every fiber until `untilMillis` (after a 429). */
  readonly block: (untilMillis: number) => Effect.Effect<void, BudgetError>
  readonly snapshot: Effect.Effect<BudgetSnapshot, BudgetError>
}

/** The request budget in force; every Figgro request passes through it. */
export class RateBudget extends Context.Tag("@figgro/core/RateBudget")<RateBudget, RateBudgetShape>() {
  /** An in-memory budget of `limit` requests per rolling `window`, for one process. */
  static readonly makeMemory = (options: {
    readonly limit: number
    readonly window: Duration.DurationInput
  }): Effect.Effect<RateBudgetShape> => makeMemory(options)

  /** The in-memory budget, sized by `FiggroConfig.budget` (its window widened by the margin). */
  static readonly layerMemory: Layer.Layer<RateBudget, never, FiggroConfig> = Layer.effect(
    RateBudget,
    Effect.flatMap(FiggroConfig, (config) =>
      makeMemory({ limit: config.budget.limit, window: countedWindow(config.budget) }))
  )

  /** No budget at all: for tests of code that must not wait. */
  static readonly layerUnlimited: Layer.Layer<RateBudget> = Layer.succeed(RateBudget, {
    acquire: Effect.void,
    observe: () => Effect.void,
    block: () => Effect.void,
    snapshot: Effect.succeed({
      limit: Number.POSITIVE_INFINITY,
      remaining: Number.POSITIVE_INFINITY,
      resetAt: undefined,
      blockedUntil: undefined
    })
  })
}

/**
 * A sliding log: the send times of the requests in the current window,
 * oldest first. Hand-written because Effect's RateLimiter offers token-bucket
 * and fixed-window only, which let up to twice the limit through in some
 * rolling hour.
 */
const makeMemory = (options: {
  readonly limit: number
  readonly window: Duration.DurationInput
}): Effect.Effect<RateBudgetShape> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(options.window)
    let limit = options.limit
    const sent: Array<number> = []
    let blockedUntil = 0
    // One acquirer at a time, so that waiters are served in order and each
    // sees the slot the previous one took.
    const lock = yield* Effect.makeSemaphore(1)

    const prune = (now: number) => {
      let expired = 0
      while (expired < sent.length && sent[expired]! + windowMillis <= now) expired++
      if (expired > 0) sent.splice(0, expired)
    }

    /** Milliseconds until a request may go out; 0 when it may go now. */
    const waitMillis = (now: number): number => {
      if (blockedUntil > now) return blockedUntil - now
      prune(now)
      if (sent.length < limit) return 0
      return sent[sent.length - limit]! + windowMillis - now
    }

    const acquire = lock.withPermits(1)(
      Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const wait = waitMillis(now)
          if (wait <= 0) {
            sent.push(now)
            return
          }
          yield* Effect.sleep(Duration.millis(wait))
        }
      })
    )

    const observe = (headers: RateLimitSnapshot) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        prune(now)
        limit = Math.min(options.limit, headers.limit)
        const usedByServer = headers.limit - headers.remaining
        const unknown = usedByServer - sent.length
        if (unknown > 0) {
          // Requests we did not send (another program on the key): count them
          // as leaving the window when the server says it resets. When the
          // server says "remaining 0", these fill the log, so the next request
          // waits for that reset; when our own log already accounts for every
          // request, it knows the next free slot to the millisecond, better
          // than the header's whole seconds.
          const sentAt = Math.min(now, headers.resetAt - windowMillis)
          let index = 0
          while (index < sent.length && sent[index]! <= sentAt) index++
          sent.splice(index, 0, ...Array.from({ length: unknown }, () => sentAt))
        }
      })

    const block = (untilMillis: number) =>
      Effect.sync(() => {
        blockedUntil = Math.max(blockedUntil, untilMillis)
      })

    const snapshot = Effect.map(Clock.currentTimeMillis, (now): BudgetSnapshot => {
      prune(now)
      const blocked = blockedUntil > now
      return {
        limit,
        remaining: blocked ? 0 : Math.max(0, limit - sent.length),
        resetAt: sent.length > 0 ? sent[0]! + windowMillis : undefined,
        blockedUntil: blocked ? blockedUntil : undefined
      }
    })

    return { acquire, observe, block, snapshot }
  })
