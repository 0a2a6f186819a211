/**
 * A request budget shared through Redis by every process that uses one API key.
 *
 * The documented 1,000 requests per rolling hour belong to the key, not to a
 * process: two exports running side by side with in-memory budgets would
 * together send 2,000 and earn 429s. This store keeps one sliding log per key
 * in Redis (see `redis/slidingLog.lua.ts` for the scripts and why they are
 * hand-written), so that across all processes no rolling window ever holds
 * more than the limit, a 429 seen by one process closes the gate for all, and
 * the server's `X-RateLimit-*` headers seen by any process correct the shared
 * view.
 *
 * The Redis key names derive from a hash of the API key, never the key.
 *
 * @example
 * ```ts
 * // explicit
 * Figgro.layerWithoutBudget.pipe(
 *   Layer.provide(RedisBudget.layer({ url: "redis://localhost:6379" })),
 *   Layer.provide(FiggroConfig.layerConfig)
 * )
 * // from the environment: FIGGRO_BUDGET_REDIS_URL (unset = in-memory budget),
 * // FIGGRO_BUDGET_REDIS_ON_UNAVAILABLE=fail|local
 * Figgro.layerWithoutBudget.pipe(Layer.provide(RedisBudget.layerConfig), …)
 * ```
 */
import { BudgetError, type BudgetSnapshot, countedWindow, FiggroConfig, RateBudget, type RateBudgetShape } from "@figgro/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import * as Crypto from "node:crypto"
import * as SlidingLog from "./redis/slidingLog.lua.js"

/**
 * What to do when Redis becomes unreachable after start-up:
 * - `"fail"` (default): every budget call fails with `BudgetError`; no request
 *   goes out uncounted, so the key's limit is never overshot;
 * - `"local"`: log a warning and carry on with an in-memory budget for this
 *   process (seeded with the last shared state seen). Processes sharing the
 *   key may then together exceed the limit, until they restart.
 */
export type OnUnavailable = "fail" | "local"

export interface RedisBudgetOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). May be `Redacted`: it can hold a password. */
  readonly url: string | Redacted.Redacted<string>
  /** Requests per rolling window. Default `FiggroConfig.budget.limit` (1,000). */
  readonly limit?: number
  /** Length of the rolling window. Default `FiggroConfig.budget.window` (60 minutes). */
  readonly window?: Duration.DurationInput
  /** Default `"fail"`. */
  readonly onUnavailable?: OnUnavailable
  /** Prefix of the Redis key names. Default `"figgro:budget:"`. */
  readonly keyPrefix?: string
  /** How long connecting or one Redis command may take before Redis counts as unreachable. Default 2 s. */
  readonly timeout?: Duration.DurationInput
}

/** What `make` takes: the options with the key and the budget size filled in. */
export interface MakeOptions extends RedisBudgetOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly limit: number
  readonly window: Duration.DurationInput
}

/** The Redis keys of one API key's budget. */
export interface Keys {
  readonly log: string
  readonly gate: string
  readonly limit: string
}

/** The shared budget: a `RateBudgetShape` plus what tests and tools want to see. */
export interface RedisBudgetShape extends RateBudgetShape {
  /**
   * Like `acquire`, and returns when the slot was counted: epoch ms on the
   * Redis server's clock (on the local clock after a fallback to `"local"`).
   */
  readonly acquireTimed: Effect.Effect<number, BudgetError>
  readonly keys: Keys
}

/**
 * The Redis key names for an API key: `<prefix>{<first 16 hex of sha256(key)>}:log|gate|limit`.
 * The `{…}` hash tag keeps the three in one Cluster slot.
 */
export const keysFor = (apiKey: Redacted.Redacted<string>, prefix = "figgro:budget:"): Keys => {
  const id = Crypto.createHash("sha256").update(Redacted.value(apiKey)).digest("hex").slice(0, 16)
  const base = `${prefix}{${id}}`
  return { log: `${base}:log`, gate: `${base}:gate`, limit: `${base}:limit` }
}

/** The URL with its password replaced by `***`, for messages. */
export const maskUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    // `redis://secret@host`: older clients read a lone user part as the password.
    else if (parsed.username !== "") parsed.username = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

/** A Redis command failed; `reason` says why in a few words. Internal: mapped to `BudgetError` or a fallback. */
class StoreFailure extends Data.TaggedError("StoreFailure")<{ readonly reason: string }> {}

/** ioredis' own messages when the connection is down say little; the last connection error says more. */
const genericMessages = [
  "Connection is closed",
  "Stream isn't writeable",
  "enableOfflineQueue",
  // a command sent just before the connection dropped
  "max retries per request"
]

/**
 * A shared budget over a new Redis connection, closed with the scope. Pings
 * Redis first: fails with `BudgetError` (naming the URL, password masked) when
 * it cannot be reached, whatever `onUnavailable` says — a wrong URL should be
 * seen at start-up, not hidden behind a fallback.
 */
export const make = (options: MakeOptions): Effect.Effect<RedisBudgetShape, BudgetError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = typeof options.url === "string" ? options.url : Redacted.value(options.url)
    const where = maskUrl(url)
    const windowMillis = Duration.toMillis(options.window)
    const timeoutMillis = Duration.toMillis(options.timeout ?? Duration.seconds(2))
    const mode: OnUnavailable = options.onUnavailable ?? "fail"
    const limit = options.limit
    const keys = keysFor(options.apiKey, options.keyPrefix)

    if (!(Number.isInteger(limit) && limit >= 1)) {
      return yield* new BudgetError({ message: `The budget limit must be a whole number of at least 1, got ${limit}.` })
    }
    if (!(windowMillis > 0 && Number.isFinite(windowMillis))) {
      return yield* new BudgetError({ message: `The budget window must be a positive duration.` })
    }
    const protocol = (() => {
      try {
        return new URL(url).protocol
      } catch {
        return undefined
      }
    })()
    if (protocol !== "redis:" && protocol !== "rediss:") {
      return yield* new BudgetError({
        message:
          "The Redis URL of the shared request budget (FIGGRO_BUDGET_REDIS_URL) is not a redis:// or rediss:// URL; use e.g. redis://localhost:6379."
      })
    }

    let lastConnectionError: string | undefined
    const redis = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const client = SlidingLog.define(
          new Redis(url, {
            lazyConnect: true,
            // A dead Redis must fail a command at once, not queue it until it comes back…
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            connectTimeout: timeoutMillis,
            // …and a Redis that accepts but does not answer (paused, overloaded) must not hang us.
            commandTimeout: timeoutMillis
            // Reconnection keeps its default backoff (≤ 2 s), so mode "fail" recovers when Redis is back.
          })
        )
        // Without a listener ioredis prints every failed reconnection; keep the last for messages.
        client.on("error", (error: Error) => {
          lastConnectionError = error.message
        })
        client.on("ready", () => {
          lastConnectionError = undefined
        })
        return client
      }),
      (client) =>
        Effect.tryPromise(() => client.quit()).pipe(
          Effect.timeout(Duration.millis(timeoutMillis)),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => client.disconnect()))
        )
    )

    const describe = (cause: unknown): string => {
      const message = cause instanceof Error ? cause.message : String(cause)
      // Right after the connection drops, before a reconnection has failed,
      // there is no connection error yet: say so rather than pass on
      // ioredis' "…enableOfflineQueue options is false", which reads like advice.
      return genericMessages.some((generic) => message.includes(generic))
        ? lastConnectionError ?? "the connection to Redis was lost"
        : message
    }

    const run = <A>(command: () => Promise<A>): Effect.Effect<A, StoreFailure> =>
      Effect.tryPromise({ try: command, catch: (cause) => new StoreFailure({ reason: describe(cause) }) })

    yield* run(() => redis.connect()).pipe(
      Effect.zipRight(run(() => redis.ping())),
      Effect.timeoutFail({
        duration: Duration.millis(timeoutMillis * 2),
        onTimeout: () => new StoreFailure({ reason: `no answer within ${timeoutMillis * 2} ms` })
      }),
      Effect.mapError((failure) =>
        new BudgetError({
          message: `Cannot reach the shared request budget in Redis at ${where} (${failure.reason}). ` +
            `Start Redis there or correct the URL (FIGGRO_BUDGET_REDIS_URL); ` +
            `to run a single process without Redis, leave FIGGRO_BUDGET_REDIS_URL unset.`
        })
      )
    )

    // Unique members: one id per budget instance, one counter per request.
    const instanceId = Crypto.randomBytes(6).toString("hex")
    let counter = 0
    const nextMember = () => `${instanceId}:${++counter}`

    // ---- the fallback of mode "local" ------------------------------------
    const local = yield* RateBudget.makeMemory({ limit, window: options.window })
    let fallenBack = false
    /** The shared state at the last acquire, on the local clock, to seed the fallback. */
    let lastKnown: { count: number; limit: number; oldestAt: number; gateAt: number } | undefined

    const fallBack = (failure: StoreFailure): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (fallenBack) return Effect.void
        fallenBack = true
        const seed = lastKnown
        return Effect.logWarning(
          `The shared request budget in Redis at ${where} is unavailable (${failure.reason}): ` +
            `continuing with a budget for this process only. Processes sharing this API key may together ` +
            `exceed the limit until they are restarted with Redis back.`
        ).pipe(
          // Best effort: start from what Redis last said rather than from an empty window.
          Effect.zipRight(
            seed === undefined ? Effect.void : Effect.all([
              local.observe({
                limit: seed.limit,
                remaining: Math.max(0, seed.limit - seed.count),
                resetAt: seed.oldestAt + windowMillis
              }),
              local.block(seed.gateAt)
            ], { discard: true })
          ),
          Effect.ignore
        )
      })

    /** In mode "fail" a `BudgetError`; in mode "local" the fallback's answer. */
    const recover = <A>(whenLocal: Effect.Effect<A, BudgetError>) => (failure: StoreFailure) =>
      mode === "local"
        ? Effect.zipRight(fallBack(failure), whenLocal)
        : Effect.fail(
          new BudgetError({
            message: `The shared request budget in Redis at ${where} is unavailable (${failure.reason}); ` +
              `no request was sent, so the key's limit is not overshot. Bring Redis back and retry, ` +
              `or set onUnavailable: "local" (FIGGRO_BUDGET_REDIS_ON_UNAVAILABLE=local) to fall back ` +
              `to a per-process budget.`
          })
        )

    /** Runs `shared` against Redis, or `whenLocal` once fallen back. */
    const withStore = <A>(shared: Effect.Effect<A, StoreFailure>, whenLocal: Effect.Effect<A, BudgetError>) =>
      Effect.suspend(() => fallenBack ? whenLocal : Effect.catchAll(shared, recover(whenLocal)))

    // ---- the operations ----------------------------------------------------
    const localAcquireTimed = Effect.zipRight(local.acquire, Clock.currentTimeMillis)

    // One acquirer at a time in this process: its fibers are served in order,
    // and only one of them polls Redis while waiting.
    const lock = yield* Effect.makeSemaphore(1)

    const sharedAcquire: Effect.Effect<number, StoreFailure> = Effect.gen(function*() {
      while (true) {
        const [wait, now, count, oldest, gate, effectiveLimit] = yield* run(() =>
          redis.figgroBudgetAcquire(keys.log, keys.gate, keys.limit, limit, windowMillis, nextMember())
        ) as Effect.Effect<[number, number, number, number, number, number], StoreFailure>
        const offset = (yield* Clock.currentTimeMillis) - now
        lastKnown = { count, limit: effectiveLimit, oldestAt: oldest + offset, gateAt: gate + offset }
        if (wait <= 0) return now
        // The script said exactly when a slot frees (or the gate opens); sleep
        // until then and ask again: another process may have taken it.
        yield* Effect.sleep(Duration.millis(wait))
      }
    })

    const acquireTimed = lock.withPermits(1)(withStore(sharedAcquire, localAcquireTimed))

    const observe = (headers: Parameters<RateBudgetShape["observe"]>[0]) =>
      ![headers.limit, headers.remaining, headers.resetAt].every(Number.isFinite) ? Effect.void : withStore(
        Effect.flatMap(Clock.currentTimeMillis, (clientNow) =>
          run(() =>
            redis.figgroBudgetObserve(
              keys.log,
              keys.gate,
              keys.limit,
              limit,
              windowMillis,
              headers.limit,
              headers.remaining,
              Math.round(headers.resetAt - clientNow),
              `${instanceId}:p${++counter}:`
            )
          )),
        local.observe(headers)
      ).pipe(Effect.asVoid)

    const block = (untilMillis: number) =>
      withStore(
        Effect.flatMap(
          Clock.currentTimeMillis,
          (clientNow) => run(() => redis.figgroBudgetBlock(keys.gate, Math.ceil(untilMillis - clientNow)))
        ),
        local.block(untilMillis)
      ).pipe(Effect.asVoid)

    const sharedSnapshot: Effect.Effect<BudgetSnapshot, StoreFailure> = Effect.gen(function*() {
      const [now, count, oldest, gate, effectiveLimit] = yield* run(() =>
        redis.figgroBudgetSnapshot(keys.log, keys.gate, keys.limit, limit, windowMillis)
      ) as Effect.Effect<[number, number, number, number, number], StoreFailure>
      // Redis times → local clock, so callers can compare them with their own Clock.
      const offset = (yield* Clock.currentTimeMillis) - now
      const blocked = gate > now
      return {
        limit: effectiveLimit,
        remaining: blocked ? 0 : Math.max(0, effectiveLimit - count),
        resetAt: count > 0 && oldest >= 0 ? oldest + windowMillis + offset : undefined,
        blockedUntil: blocked ? gate + offset : undefined
      }
    })

    return {
      acquire: Effect.asVoid(acquireTimed),
      acquireTimed,
      observe,
      block,
      snapshot: withStore(sharedSnapshot, local.snapshot),
      keys
    }
  })

/**
 * The shared budget as the `RateBudget` service, for the key and budget size
 * of `FiggroConfig` (`limit` and `window` here override `FiggroConfig.budget`).
 * Building it pings Redis and fails with `BudgetError` when unreachable.
 */
export const layer = (options: RedisBudgetOptions): Layer.Layer<RateBudget, BudgetError, FiggroConfig> =>
  Layer.scoped(
    RateBudget,
    Effect.flatMap(FiggroConfig, (config) =>
      make({
        ...options,
        apiKey: config.apiKey,
        limit: options.limit ?? config.budget.limit,
        window: options.window ?? countedWindow(config.budget)
      }))
  )

/** `FIGGRO_BUDGET_REDIS_URL` (optional, may hold a password) and `FIGGRO_BUDGET_REDIS_ON_UNAVAILABLE` (`fail` | `local`). */
export const config: Config.Config<{
  readonly url: Option.Option<Redacted.Redacted<string>>
  readonly onUnavailable: OnUnavailable
}> = Config.all({
  url: Config.option(Config.redacted("FIGGRO_BUDGET_REDIS_URL")).pipe(
    Config.map(Option.filter((url) => Redacted.value(url).trim() !== ""))
  ),
  onUnavailable: Config.literal("fail", "local")("FIGGRO_BUDGET_REDIS_ON_UNAVAILABLE").pipe(
    Config.withDefault("fail" as const)
  )
})

/**
 * The budget chosen by the environment: shared in Redis when
 * `FIGGRO_BUDGET_REDIS_URL` is set, otherwise the in-memory budget of one
 * process. Sized by `FiggroConfig.budget` (`FIGGRO_BUDGET_LIMIT`, `FIGGRO_BUDGET_WINDOW`).
 */
export const layerConfig: Layer.Layer<RateBudget, BudgetError, FiggroConfig> = Layer.unwrapEffect(
  config.pipe(
    Effect.mapError(() =>
      new BudgetError({
        message: "FIGGRO_BUDGET_REDIS_ON_UNAVAILABLE must be fail or local."
      })
    ),
    Effect.map(({ onUnavailable, url }) =>
      Option.match(url, {
        onNone: () => RateBudget.layerMemory,
        onSome: (url) => layer({ url, onUnavailable })
      })
    )
  )
)
