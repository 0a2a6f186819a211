import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { busiestWindow, envelope, pageOf, product, recording, runFor, withClient } from "../test/fixtures.js"
import { Figgro } from "./Figgro.js"
import { RateBudget } from "./RateBudget.js"
import * as MockHttp from "./testing/MockHttp.js"

const minute = 60_000
const hour = 60 * minute

describe("the in-memory budget", () => {
  it.effect("lets `limit` requests through at once, then waits exactly until the oldest leaves the window", () =>
    Effect.gen(function*() {
      const budget = yield* RateBudget.makeMemory({ limit: 2, window: "1 minute" })
      yield* budget.acquire
      yield* TestClock.adjust("10 seconds")
      yield* budget.acquire
      const third = yield* Effect.fork(budget.acquire)
      yield* TestClock.adjust("49 seconds")
      assert(Option.isNone(yield* Fiber.poll(third)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(third)
    }))

  it.effect("a snapshot tells the limit, what remains, when it resets and whether the gate is closed", () =>
    Effect.gen(function*() {
      const budget = yield* RateBudget.makeMemory({ limit: 3, window: "1 minute" })
      assert.deepStrictEqual(yield* budget.snapshot, {
        limit: 3,
        remaining: 3,
        resetAt: undefined,
        blockedUntil: undefined
      })
      yield* budget.acquire
      yield* TestClock.adjust("10 seconds")
      yield* budget.acquire
      assert.deepStrictEqual(yield* budget.snapshot, {
        limit: 3,
        remaining: 1,
        resetAt: minute,
        blockedUntil: undefined
      })
      yield* budget.block(30_000)
      assert.deepStrictEqual(yield* budget.snapshot, {
        limit: 3,
        remaining: 0,
        resetAt: minute,
        blockedUntil: 30_000
      })
      yield* TestClock.adjust("55 seconds")
      assert.deepStrictEqual(yield* budget.snapshot, {
        limit: 3,
        remaining: 2,
        resetAt: 70_000,
        blockedUntil: undefined
      })
    }))

  it.effect("2,500 requests never exceed 1,000 in any rolling hour and finish at the earliest moment, 120 min", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording((request) => Effect.succeed(MockHttp.json(200, envelope(pageOf(request), 2500))))
      const pages = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCount(figgro.products.pages())).pipe(
        // Each request's timeout leaves a sleep on the TestClock; a day-long one keeps them past this test's 3 hours.
        // No margin here: this is about the window itself (the margin has its own test).
        withClient(handler, { requestTimeout: "1 day", budget: { margin: 0 } }),
        runFor("3 hours")
      )
      assert.strictEqual(pages, 2500)
      assert.strictEqual(sent.length, 2500)
      assert.strictEqual(busiestWindow(sent, hour), 1000)
      // Bursts: a thousand at once, the next thousand the moment the first leave the window.
      assert.strictEqual(sent.filter((s) => s.at === 0).length, 1000)
      assert.strictEqual(sent.filter((s) => s.at === hour).length, 1000)
      assert.strictEqual(sent[sent.length - 1]!.at, 2 * hour)
    }))

  it.effect("the margin keeps each request counted that much longer than the window", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording((request) => Effect.succeed(MockHttp.json(200, envelope(pageOf(request), 3))))
      yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.products.pages())).pipe(
        withClient(handler, { budget: { limit: 1, window: "1 minute", margin: "2 seconds" } }),
        runFor("10 minutes")
      )
      assert.deepStrictEqual(sent.map((s) => s.at), [0, 62_000, 124_000])
    }))
})

describe("learning from the server's headers", () => {
  const withRateLimit = (remaining: number, resetSeconds: number) =>
    recording((request) =>
      Effect.succeed(MockHttp.json(200, envelope(pageOf(request), 5, [product(1)]), {
        "x-ratelimit-limit": "1000",
        "x-ratelimit-remaining": String(remaining),
        "x-ratelimit-reset": String(resetSeconds)
      }))
    )

  it.effect("remaining 0 until T: the next request waits until T", () =>
    Effect.gen(function*() {
      const { handler, sent } = withRateLimit(0, 600)
      yield* Effect.flatMap(Figgro, (figgro) => Effect.zip(figgro.products.page(1), figgro.products.page(2))).pipe(
        withClient(handler),
        runFor("15 minutes")
      )
      assert.deepStrictEqual(sent.map((s) => s.at), [0, 600_000])
    }))

  it.effect("remaining 0 for requests we sent ourselves: the next goes when our own oldest leaves, not at the rounded reset", () =>
    Effect.gen(function*() {
      // Limit 2 per minute; the server reports its reset in whole seconds, one second late.
      const { handler, sent } = recording((request) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.succeed(MockHttp.json(200, envelope(pageOf(request), 3, [product(1)]), {
            "x-ratelimit-limit": "2",
            "x-ratelimit-remaining": String(Math.max(0, 2 - sent.length)),
            "x-ratelimit-reset": String(Math.ceil((now + 60_000) / 1000) + 1)
          }))))
      yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.products.pages())).pipe(
        withClient(handler, { budget: { limit: 2, window: "1 minute", margin: 0 } }),
        runFor("5 minutes")
      )
      assert.deepStrictEqual(sent.map((s) => s.at), [0, 0, 60_000])
    }))

  it.effect("a server that counts more requests than we sent (another program on the key) lowers what remains", () =>
    Effect.gen(function*() {
      const { handler } = withRateLimit(500, 3600)
      const snapshot = yield* Effect.flatMap(Figgro, (figgro) => Effect.zipRight(figgro.products.page(1), figgro.budget)).pipe(
        withClient(handler)
      )
      assert.strictEqual(snapshot.limit, 1000)
      assert.strictEqual(snapshot.remaining, 500)
    }))

  it.effect("a lower limit announced by the server is adopted", () =>
    Effect.gen(function*() {
      const { handler } = recording(() =>
        Effect.succeed(MockHttp.json(200, envelope(1, 1), {
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "99",
          "x-ratelimit-reset": "3600"
        }))
      )
      const snapshot = yield* Effect.flatMap(Figgro, (figgro) => Effect.zipRight(figgro.products.page(1), figgro.budget)).pipe(
        withClient(handler)
      )
      assert.deepStrictEqual([snapshot.limit, snapshot.remaining], [100, 99])
    }))
})

describe("after a 429", () => {
  it.effect("the gate closes for every fiber until Retry-After has passed", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording((request, index) =>
        Effect.succeed(
          index === 0 ?
            MockHttp.json(429, { code: "RATE_LIMITED", message: "slow down" }, { "retry-after": "30" }) :
            MockHttp.json(200, envelope(pageOf(request), 9, [product(pageOf(request))]))
        )
      )
      // Fiber 1 hits the 429 at t = 0; fibers 2–4 want to send at 1 s, 2 s and 3 s.
      const pages = yield* Effect.flatMap(Figgro, (figgro) =>
        Effect.forEach(
          [1, 2, 3, 4],
          (n) => Effect.delay(figgro.products.page(n), `${n - 1} seconds`),
          { concurrency: "unbounded" }
        )).pipe(withClient(handler), runFor("2 minutes"))
      assert.deepStrictEqual(pages.map((p) => p.page), [1, 2, 3, 4])
      assert.strictEqual(sent.length, 5)
      assert.strictEqual(sent[0]!.at, 0)
      for (const s of sent.slice(1)) assert(s.at >= 30_000, `page ${pageOf(s.request)} sent at ${s.at} ms`)
    }))

  it.effect("the snapshot shows the gate closed", () =>
    Effect.gen(function*() {
      const { handler } = recording(() =>
        Effect.succeed(MockHttp.json(429, { code: "RATE_LIMITED", message: "slow down" }, { "retry-after": "30" }))
      )
      const snapshot = yield* Effect.flatMap(Figgro, (figgro) => Effect.zipRight(Effect.flip(figgro.products.page(1)), figgro.budget)).pipe(
        withClient(handler, { retry: { maxAttempts: 1 } })
      )
      assert.strictEqual(snapshot.remaining, 0)
      assert.strictEqual(snapshot.blockedUntil, 30_000)
    }))
})
