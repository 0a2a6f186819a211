/**
 * The shared budget against a REAL redis-server (started per test on a free
 * port, no persistence). Skipped when `redis-server` is not installed.
 *
 * These tests run on real time, deliberately: the scripts read the Redis
 * server's TIME, which no TestClock can move, so the windows are kept short
 * (≤ 2 s) instead.
 */
import { assert, describe, it } from "@effect/vitest"
import { BudgetError, Figgro, FiggroConfig, RateBudget } from "@figgro/core"
import { maxInAnyWindow, MockHttp } from "@figgro/core/testing"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import * as RedisBudget from "./RedisBudget.js"
import * as RedisServer from "./testing/redisServer.js"

const apiKey = Redacted.make("fgr_live_5f3a9c0d2b7e4a61b8c3d9e0f1a2b3c4")

/** One "process": its own budget over its own Redis connection. */
const instance = (url: string, options: Partial<RedisBudget.MakeOptions> = {}) =>
  RedisBudget.make({ url, apiKey, limit: 20, window: Duration.seconds(2), ...options })


const expectBudgetError = <A, R>(effect: Effect.Effect<A, BudgetError, R>) =>
  Effect.map(Effect.either(effect), (result) => {
    assert.isTrue(Either.isLeft(result), "expected a BudgetError")
    const error = (result as Either.Left<BudgetError, A>).left
    assert.instanceOf(error, BudgetError)
    return error
  })

describe("RedisBudget (real redis-server)", () => {
  it.scopedLive("4 processes never exceed the limit in any rolling window, and use all of it", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const limit = 20
      const windowMillis = 2_000
      const perInstance = 15 // 60 grants = 3 windows' worth: the last batch waits 2 windows
      const instances = yield* Effect.all(
        Array.from({ length: 4 }, () => instance(server.url, { limit, window: Duration.millis(windowMillis) }))
      )
      const started = yield* Clock.currentTimeMillis
      const grants = yield* Effect.all(
        instances.map((budget) =>
          Effect.all(Array.from({ length: perInstance }, () => budget.acquireTimed), { concurrency: 3 })
        ),
        { concurrency: "unbounded" }
      )
      const elapsed = (yield* Clock.currentTimeMillis) - started
      const times = grants.flat().sort((a, b) => a - b)
      const first = times[0]!
      const perWindow = [0, 1, 2].map((k) =>
        times.filter((t) => t >= first + k * windowMillis && t < first + (k + 1) * windowMillis).length
      )
      const busiest = maxInAnyWindow(times, windowMillis)
      const ideal = 2 * windowMillis
      console.log(
        `[RedisBudget] 4 instances × ${perInstance}, limit ${limit}/${windowMillis} ms: ` +
          `max in any rolling window ${busiest}, per window ${perWindow.join("/")}, ` +
          `budget used ${Math.round((100 * times.length) / (limit * 3))}% of 3 windows, ` +
          `last grant at ${times[times.length - 1]! - first} ms (ideal ${ideal} ms), wall ${elapsed} ms`
      )
      assert.strictEqual(times.length, 4 * perInstance)
      assert.isAtMost(busiest, limit)
      // Every slot used: each window granted the full limit, and the last
      // grant came as soon as the rolling window allowed it.
      assert.deepStrictEqual(perWindow, [limit, limit, limit])
      assert.isAtLeast(times[times.length - 1]! - first, ideal)
      assert.isBelow(times[times.length - 1]! - first, ideal + 500)
    }))

  it.scopedLive("block() in one process delays acquire in another", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const a = yield* instance(server.url)
      const b = yield* instance(server.url)
      const now = yield* Clock.currentTimeMillis
      yield* a.block(now + 500)
      const seen = yield* b.snapshot
      assert.strictEqual(seen.remaining, 0)
      assert.isDefined(seen.blockedUntil)
      assert.approximately(seen.blockedUntil!, now + 500, 50)
      // A shorter block never shortens the gate.
      yield* b.block(now + 100)
      const started = yield* Clock.currentTimeMillis
      yield* b.acquire
      const waited = (yield* Clock.currentTimeMillis) - started
      assert.isAtLeast(waited, 430)
      assert.isBelow(waited, 800)
    }))

  it.scopedLive("headers seen by one process correct the view of all: phantoms, limit, remaining 0 gates", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const a = yield* instance(server.url)
      const b = yield* instance(server.url)
      const now = yield* Clock.currentTimeMillis

      // The server counted 5 requests we never sent (another program on the key).
      yield* a.observe({ limit: 20, remaining: 15, resetAt: now + 1_500 })
      let seen = yield* b.snapshot
      assert.strictEqual(seen.remaining, 15)
      assert.approximately(seen.resetAt!, now + 1_500, 50)

      // A smaller announced limit applies to every process.
      yield* a.observe({ limit: 10, remaining: 5, resetAt: now + 1_500 })
      seen = yield* b.snapshot
      assert.strictEqual(seen.limit, 10)
      assert.strictEqual(seen.remaining, 5)

      // Remaining 0 (requests the log does not know of) holds everyone until the reset.
      const reset = now + 600
      yield* a.observe({ limit: 20, remaining: 0, resetAt: reset })
      seen = yield* b.snapshot
      assert.strictEqual(seen.remaining, 0)
      assert.approximately(seen.resetAt!, reset, 50)
      yield* b.acquire
      const waited = (yield* Clock.currentTimeMillis) - now
      assert.isAtLeast(waited, 550)
    }))

  it.scopedLive("the API key never appears in a Redis key name", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const budget = yield* instance(server.url)
      const now = yield* Clock.currentTimeMillis
      yield* budget.acquire
      yield* budget.observe({ limit: 20, remaining: 10, resetAt: now + 1_000 })
      yield* budget.block(now + 1_000)
      const redis = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(server.url)),
        (client) => Effect.promise(() => client.quit())
      )
      const names: Array<string> = []
      let cursor = "0"
      do {
        const [next, batch] = yield* Effect.promise(() => redis.scan(cursor, "COUNT", 100))
        names.push(...batch)
        cursor = next
      } while (cursor !== "0")
      const secret = Redacted.value(apiKey)
      assert.deepStrictEqual(names.sort(), [budget.keys.gate, budget.keys.limit, budget.keys.log].sort())
      for (const name of names) {
        assert.notInclude(name, secret)
        assert.notInclude(name, secret.slice(4, 16))
      }
      // The log's members carry no key either.
      const members = yield* Effect.promise(() => redis.zrange(budget.keys.log, 0, -1))
      for (const member of members) assert.notInclude(member, secret.slice(4, 16))
    }))

  it.scopedLive("Redis stopped mid-run, mode fail: acquire fails fast with a BudgetError naming the URL", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const budget = yield* instance(server.url)
      yield* budget.acquire
      yield* server.stop
      const started = yield* Clock.currentTimeMillis
      const error = yield* expectBudgetError(budget.acquire)
      assert.isBelow((yield* Clock.currentTimeMillis) - started, 2_500)
      assert.include(error.message, server.url)
      assert.include(error.message, "unavailable")
      assert.include(error.message, "onUnavailable")
      yield* expectBudgetError(budget.snapshot)
    }))

  it.scopedLive("Redis stopped mid-run, mode local: warns, falls back, keeps the budget it last saw", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(String(message))
      })
      const windowMillis = 1_000
      const budget = yield* instance(server.url, {
        limit: 3,
        window: Duration.millis(windowMillis),
        onUnavailable: "local"
      })
      const firstAt = yield* Clock.currentTimeMillis
      yield* budget.acquire
      yield* budget.acquire
      yield* server.stop
      // One slot left in the window Redis last described: granted at once…
      yield* budget.acquire.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      assert.isBelow((yield* Clock.currentTimeMillis) - firstAt, 500)
      // …then the next waits for the window, as it would have in Redis.
      yield* budget.acquire
      assert.isAtLeast((yield* Clock.currentTimeMillis) - firstAt, windowMillis - 50)
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0]!, server.url)
      const seen = yield* budget.snapshot
      assert.strictEqual(seen.limit, 3)
    }))

  it.scopedLive("Redis unreachable at start: the layer fails with a BudgetError, password masked", () =>
    Effect.gen(function*() {
      const port = yield* RedisServer.freePort
      const url = `redis://:hunter2@127.0.0.1:${port}`
      const started = yield* Clock.currentTimeMillis
      const error = yield* expectBudgetError(
        Layer.build(RedisBudget.layer({ url }).pipe(Layer.provide(FiggroConfig.layer({ apiKey })))).pipe(
          Effect.mapError((error) => error._tag === "BudgetError" ? error : new BudgetError({ message: String(error) }))
        )
      )
      assert.isBelow((yield* Clock.currentTimeMillis) - started, 5_000)
      assert.include(error.message, `redis://:***@127.0.0.1:${port}`)
      assert.notInclude(error.message, "hunter2")
      assert.include(error.message, "FIGGRO_BUDGET_REDIS_URL")
    }))

  it.scopedLive("two Figgro clients on one key share the budget: no 429 from a rate-limiting server", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const limit = 10
      const windowMillis = 1_000
      // The API as a mock: its own sliding log of arrivals, 429 past the
      // limit, X-RateLimit-* headers (reset in whole seconds, as documented).
      // It forgives arrivals within 25 ms of the window edge: the budget counts
      // a request when it is granted, the server when it arrives, and that
      // latency is not what this test is about.
      const arrivals: Array<number> = []
      let rejected = 0
      const handler: MockHttp.MockHandler = (request) =>
        Effect.sync(() => {
          const now = Date.now()
          while (arrivals.length > 0 && arrivals[0]! <= now - windowMillis + 25) arrivals.shift()
          const headers = (remaining: number) => ({
            "x-ratelimit-limit": String(limit),
            "x-ratelimit-remaining": String(remaining),
            "x-ratelimit-reset": String(Math.ceil(((arrivals[0] ?? now) + windowMillis) / 1000))
          })
          if (arrivals.length >= limit) {
            rejected++
            return MockHttp.json(429, { code: "RATE_LIMITED", message: "Too many requests" }, {
              ...headers(0),
              "retry-after": "1"
            })
          }
          arrivals.push(now)
          const page = Number(request.query.get("page") ?? "1")
          return MockHttp.json(200, { page, page_size: 25, total_records: 250, total_pages: 10, data: [] }, headers(
            limit - arrivals.length
          ))
        })
      // One "process": its own client, its own Redis connection, the same key.
      const client = Layer.build(
        Figgro.layerWithoutBudget.pipe(
          Layer.provide(RedisBudget.layer({ url: server.url })),
          Layer.provide([
            MockHttp.layer(handler),
            FiggroConfig.layer({ apiKey, budget: { limit, window: Duration.millis(windowMillis) } })
          ])
        )
      ).pipe(Effect.map(Context.get(Figgro)))
      const clients = [yield* client, yield* client]
      const started = yield* Clock.currentTimeMillis
      yield* Effect.all(
        clients.map((figgro) =>
          Effect.all(Array.from({ length: 10 }, (_, i) => figgro.products.page(i + 1)), { concurrency: 2 })
        ),
        { concurrency: "unbounded" }
      )
      const elapsed = (yield* Clock.currentTimeMillis) - started
      console.log(`[RedisBudget] 2 clients × 10 pages, limit ${limit}/${windowMillis} ms: ${rejected} × 429, ${elapsed} ms`)
      assert.strictEqual(rejected, 0)
      assert.isAtLeast(elapsed, windowMillis)
    }))

  it.scopedLive("layerConfig: Redis when FIGGRO_BUDGET_REDIS_URL is set, in-memory otherwise", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start
      const config = FiggroConfig.layer({ apiKey, budget: { limit: 7 } })
      // Built in the test's scope: the budget's connection lives until the test ends.
      const budgetFrom = (env: Record<string, string>) =>
        Layer.build(RedisBudget.layerConfig.pipe(Layer.provide(config))).pipe(
          Effect.map(Context.get(RateBudget)),
          Effect.withConfigProvider(ConfigProvider.fromJson(env))
        )
      const shared = yield* budgetFrom({ FIGGRO_BUDGET_REDIS_URL: server.url })
      yield* shared.acquire
      const other = yield* instance(server.url, { limit: 7 })
      assert.strictEqual((yield* other.snapshot).remaining, 6)

      const memory = yield* budgetFrom({})
      yield* memory.acquire
      assert.strictEqual((yield* other.snapshot).remaining, 6)
      assert.strictEqual((yield* memory.snapshot).remaining, 6)

      const invalid = yield* Effect.either(budgetFrom({ FIGGRO_BUDGET_REDIS_URL: "localhost:6379" }))
      assert.isTrue(Either.isLeft(invalid))
      if (Either.isLeft(invalid)) assert.include(invalid.left.message, "redis://")
    }))
})
