import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { envelope, gaps, product, productsPage, recording, runFor, withClient } from "../test/fixtures.js"
import { defaults } from "./FiggroConfig.js"
import { RateLimited } from "./FiggroError.js"
import * as Retry from "./Retry.js"
import type { MockResponse } from "./testing/MockHttp.js"
import * as MockHttp from "./testing/MockHttp.js"

const ok = MockHttp.json(200, envelope(1, 1, [product(1)]))
const status = (code: number, headers: Record<string, string> = {}) =>
  MockHttp.json(code, { code: `HTTP_${code}`, message: "failed" }, headers)

/** A handler that answers `first` to the first requests, then 200. */
const failing = (...first: ReadonlyArray<MockResponse>) =>
  recording((_, index) => Effect.succeed(first[index] ?? ok))

/** A handler that always answers `response`. */
const always = (response: MockResponse) => recording(() => Effect.succeed(response))

describe("what is retried", () => {
  for (const code of [400, 401, 403, 404]) {
    it.effect(`${code} is never retried: exactly one request`, () =>
      Effect.gen(function*() {
        const { handler, sent } = always(status(code))
        yield* productsPage(1).pipe(Effect.flip, withClient(handler, { retry: { maxAttempts: 5 } }), runFor("1 hour"))
        assert.strictEqual(sent.length, 1)
      }))
  }

  const transient = [
    ["500", "InternalServerError", () => Effect.succeed(status(500))],
    ["502", "UnexpectedStatus", () => Effect.succeed(status(502))],
    ["503", "ServiceUnavailable", () => Effect.succeed(status(503))],
    ["504", "UnexpectedStatus", () => Effect.succeed(status(504))],
    ["a dropped connection", "TransportError", () => Effect.fail(new MockHttp.ConnectionReset())],
    ["a timeout", "TimeoutError", () => Effect.never]
  ] as const
  for (const [name, tag, answer] of transient) {
    it.effect(`${name} is retried until maxAttempts, then fails with ${tag}`, () =>
      Effect.gen(function*() {
        const { handler, sent } = recording(answer)
        const error = yield* productsPage(1).pipe(
          Effect.flip,
          withClient(handler, { retry: { maxAttempts: 4 }, requestTimeout: "5 seconds" }),
          runFor("5 minutes")
        )
        assert.strictEqual(error._tag, tag)
        assert.strictEqual(sent.length, 4)
      }))
  }

  it.effect("a retry that succeeds returns the page, with its cost", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(status(503), status(500))
      const page = yield* productsPage(1).pipe(withClient(handler), runFor("1 minute"))
      assert.strictEqual(page.attempts, 3)
      assert.strictEqual(sent.length, 3)
    }))
})

describe("when a retry is sent", () => {
  /** The window [0.8, 1.2] × baseDelay · 2^k allows for the k-th retry delay, capped at maxDelay. */
  const expected = (k: number, baseMillis: number, maxMillis: number) => [
    Math.min(0.8 * baseMillis * 2 ** k, maxMillis),
    Math.min(1.2 * baseMillis * 2 ** k, maxMillis)
  ] as const

  it.effect("backs off exponentially from baseDelay, with ±20 % jitter", () =>
    Effect.gen(function*() {
      const { handler, sent } = always(status(500))
      yield* productsPage(1).pipe(
        Effect.flip,
        withClient(handler, { retry: { maxAttempts: 6, baseDelay: Duration.seconds(1), maxDelay: Duration.minutes(1) } }),
        runFor("2 minutes")
      )
      assert.strictEqual(sent.length, 6)
      gaps(sent).forEach((gap, k) => {
        const [low, high] = expected(k, 1000, 60_000)
        assert(gap >= low && gap <= high, `retry ${k + 1} after ${gap} ms, expected ${low}–${high}`)
      })
    }))

  it.effect("never waits longer than maxDelay between retries", () =>
    Effect.gen(function*() {
      const { handler, sent } = always(status(503))
      yield* productsPage(1).pipe(
        Effect.flip,
        withClient(handler, { retry: { maxAttempts: 8, baseDelay: Duration.seconds(1), maxDelay: Duration.seconds(3) } }),
        runFor("2 minutes")
      )
      const delays = gaps(sent)
      assert.strictEqual(delays.length, 7)
      delays.forEach((gap, k) => {
        const [low, high] = expected(k, 1000, 3000)
        assert(gap >= low && gap <= high, `retry ${k + 1} after ${gap} ms, expected ${low}–${high}`)
      })
      assert.deepStrictEqual(delays.slice(2), [3000, 3000, 3000, 3000, 3000])
    }))

  it.effect("stops retrying once the deadline has passed", () =>
    Effect.gen(function*() {
      const { handler, sent } = always(status(500))
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(handler, {
          retry: { maxAttempts: 100, baseDelay: Duration.seconds(1), maxDelay: Duration.minutes(1), deadline: Duration.seconds(10) }
        }),
        runFor("10 minutes")
      )
      assert.strictEqual(error._tag, "InternalServerError")
      // Retries at ~1 s, ~3 s, ~7 s; the next decision, at ~15 s, is past the deadline.
      assert.strictEqual(sent.length, 5)
    }))
})

describe("Retry-After", () => {
  it.effect("in seconds: the next request waits that long", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(status(429, { "retry-after": "7" }))
      yield* productsPage(1).pipe(withClient(handler), runFor("1 minute"))
      assert.strictEqual(sent.length, 2)
      assert.deepStrictEqual(gaps(sent), [7000])
    }))

  it.effect("a 429 saying 'remaining 0, resets in an hour' still waits only its Retry-After", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(status(429, {
        "retry-after": "2",
        "x-ratelimit-limit": "1000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "3600"
      }))
      yield* productsPage(1).pipe(withClient(handler), runFor("2 hours"))
      assert.deepStrictEqual(gaps(sent), [2000])
    }))

  it.effect("as an HTTP-date: the next request waits until then", () =>
    Effect.gen(function*() {
      const now = Date.parse("2026-11-01T08:00:00Z")
      yield* TestClock.setTime(now)
      const { handler, sent } = failing(status(429, { "retry-after": new Date(now + 9000).toUTCString() }))
      yield* productsPage(1).pipe(withClient(handler), runFor("1 minute"))
      assert.strictEqual(sent.length, 2)
      assert.strictEqual(sent[1]!.at, now + 9000)
    }))

  it.effect("absent: a 429 waits for X-RateLimit-Reset", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(
        status(429, { "x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "45" })
      )
      yield* productsPage(1).pipe(withClient(handler), runFor("5 minutes"))
      assert.strictEqual(sent[1]!.at, 45_000)
    }))

  it.effect("longer than maxRetryAfter: fails at once with RateLimited", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(status(429, { "retry-after": "7200" }))
      const error = yield* productsPage(1).pipe(Effect.flip, withClient(handler))
      assert(error._tag === "RateLimited")
      assert.strictEqual(error.retryAfterMillis, 7_200_000)
      assert.strictEqual(sent.length, 1)
    }))

  it.effect("maxRetryAfter is configurable", () =>
    Effect.gen(function*() {
      const { handler, sent } = failing(status(429, { "retry-after": "30" }))
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(handler, { retry: { maxRetryAfter: Duration.seconds(10) } })
      )
      assert.strictEqual(error._tag, "RateLimited")
      assert.strictEqual(sent.length, 1)
    }))

  it.effect("the schedule itself waits at least Retry-After, whatever the budget does", () =>
    Effect.gen(function*() {
      const rateLimited = new RateLimited({
        status: 429,
        code: "RATE_LIMITED",
        message: "slow down",
        endpoint: "/api/v1/Inventory/getproducts",
        page: 1,
        retryAfterMillis: 7000
      })
      const options = { ...defaults.retry, maxAttempts: 3 }
      const delays = yield* Schedule.run(Schedule.delays(Retry.schedule(options)), 0, [rateLimited, rateLimited])
      assert.deepStrictEqual(Chunk.toArray(delays).map(Duration.toMillis), [7000, 7000])
    }))

  it("parses both forms, relative to now", () => {
    const now = Date.parse("2026-11-01T08:00:00Z")
    assert.strictEqual(Retry.parseRetryAfter("120", now), 120_000)
    assert.strictEqual(Retry.parseRetryAfter(" 1.5 ", now), 1500)
    assert.strictEqual(Retry.parseRetryAfter("Sun, 01 Nov 2026 08:01:00 GMT", now), 60_000)
    assert.strictEqual(Retry.parseRetryAfter("Sun, 01 Nov 2026 07:00:00 GMT", now), 0)
    assert.isUndefined(Retry.parseRetryAfter("soon", now))
    assert.isUndefined(Retry.parseRetryAfter(undefined, now))
  })
})
