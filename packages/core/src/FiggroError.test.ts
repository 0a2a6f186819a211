import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { envelope, product, productsPage, recording, runFor, secretKey, withClient } from "../test/fixtures.js"
import { Figgro } from "./Figgro.js"
import { isRetryable } from "./FiggroError.js"
import type { MockHandler, MockResponse } from "./testing/MockHttp.js"
import * as MockHttp from "./testing/MockHttp.js"

const path = "/api/v1/Inventory/getproducts"

/** The error of one attempt (no retries) at page 2 of products answered by `response`. */
const errorFor = (response: MockResponse) =>
  productsPage(2).pipe(
    Effect.flip,
    withClient(() => Effect.succeed(response), { retry: { maxAttempts: 1 } })
  )

const rateLimitHeaders = {
  "x-ratelimit-limit": "1000",
  "x-ratelimit-remaining": "998",
  "x-ratelimit-reset": "1800"
}

describe("status codes", () => {
  const cases = [
    [400, "BadRequest", "BAD_REQUEST", "Invalid date format."],
    [401, "Unauthorized", "UNAUTHORIZED", "Invalid or missing X-Api-Key header."],
    [403, "Forbidden", "FORBIDDEN", "Key lacks access."],
    [404, "NotFound", "NOT_FOUND", "No such endpoint."],
    [429, "RateLimited", "RATE_LIMITED", "Over 1,000 requests per hour."],
    [500, "InternalServerError", "INTERNAL_ERROR", "Unexpected error."],
    [503, "ServiceUnavailable", "UNAVAILABLE", "Down for maintenance."]
  ] as const

  for (const [status, tag, code, message] of cases) {
    it.effect(`${status} fails with ${tag}, carrying the body, endpoint, page, request id and rate limit`, () =>
      Effect.gen(function*() {
        const error = yield* errorFor(
          MockHttp.json(status, { code, message }, { "x-request-id": "req-42", "retry-after": "5", ...rateLimitHeaders })
        )
        assert.strictEqual(error._tag, tag)
        assert(error._tag === tag && "status" in error)
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.code, code)
        assert.strictEqual(error.message, message)
        assert.strictEqual(error.endpoint, path)
        assert.strictEqual(error.page, 2)
        assert.strictEqual(error.requestId, "req-42")
        assert.deepStrictEqual(error.rateLimit, { limit: 1000, remaining: 998, resetAt: 1_800_000 })
      }))
  }

  it.effect("catchTag tells the errors apart", () =>
    Effect.gen(function*() {
      const orMissing = (status: number) =>
        productsPage(1).pipe(
          Effect.as("found"),
          Effect.catchTag("NotFound", () => Effect.succeed("missing")),
          withClient(() => Effect.succeed(MockHttp.json(status, { code: "X", message: "m" })))
        )
      assert.strictEqual(yield* orMissing(404), "missing")
      const forbidden = yield* Effect.flip(orMissing(403))
      assert.strictEqual(forbidden._tag, "Forbidden")
    }))

  it.effect("leaves rateLimit and requestId out when the response has no such headers", () =>
    Effect.gen(function*() {
      const error = yield* errorFor(MockHttp.json(401, { code: "UNAUTHORIZED", message: "expired" }))
      assert(error._tag === "Unauthorized")
      assert.isUndefined(error.rateLimit)
      assert.isUndefined(error.requestId)
    }))

  it.effect("429 carries how long the server asked to wait", () =>
    Effect.gen(function*() {
      const error = yield* errorFor(MockHttp.json(429, { code: "RATE_LIMITED", message: "slow" }, { "retry-after": "12" }))
      assert(error._tag === "RateLimited")
      assert.strictEqual(error.retryAfterMillis, 12_000)
    }))

  it.effect("an HTML 503 from a load balancer is still ServiceUnavailable, with a fallback message", () =>
    Effect.gen(function*() {
      const error = yield* errorFor({
        status: 503,
        headers: { "content-type": "text/html" },
        body: "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
      })
      assert(error._tag === "ServiceUnavailable")
      assert.strictEqual(error.code, "UNAVAILABLE")
      assert.strictEqual(error.message, "HTTP 503 with an HTML page instead of the documented {code, message}")
    }))

  it.effect("an empty body still gives the right error", () =>
    Effect.gen(function*() {
      const error = yield* errorFor({ status: 500, body: "" })
      assert(error._tag === "InternalServerError")
      assert.strictEqual(error.code, "INTERNAL_ERROR")
      assert.include(error.message, "an empty body")
    }))

  it.effect("502 is an UnexpectedStatus", () =>
    Effect.gen(function*() {
      const error = yield* errorFor({ status: 502, headers: { "content-type": "text/html" }, body: "<h1>Bad Gateway</h1>" })
      assert(error._tag === "UnexpectedStatus")
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.code, "HTTP_502")
    }))

  it("retries only what can succeed later", () => {
    const error = (status: number) => ({ _tag: "UnexpectedStatus", status }) as Parameters<typeof isRetryable>[0]
    assert.deepStrictEqual([400, 401, 403, 404].map((s) => isRetryable(error(s))), [false, false, false, false])
    assert.deepStrictEqual([429, 500, 502, 503, 504].map((s) => isRetryable(error(s))), [true, true, true, true, true])
  })
})

describe("the API key", () => {
  type Use = (figgro: Figgro["Type"]) => Effect.Effect<unknown, unknown>
  const firstPage: Use = (figgro) => figgro.products.page(1)
  const statusTags = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "RateLimited",
    500: "InternalServerError",
    502: "UnexpectedStatus",
    503: "ServiceUnavailable"
  } as const

  /** Every kind of failure the client produces, with the handler (or input) that provokes it. */
  const scenarios: ReadonlyArray<readonly [tag: string, handler: MockHandler, use: Use]> = [
    ...Object.entries(statusTags).map(([status, tag]) =>
      [
        tag,
        () => Effect.succeed(MockHttp.json(Number(status), { code: "X", message: "m" }, { "retry-after": "1" })),
        firstPage
      ] as const
    ),
    ["TransportError", () => Effect.fail(new MockHttp.ConnectionReset()), firstPage],
    ["TransportError", () => Effect.succeed({ status: 200, body: MockHttp.truncatedBody("{\"page\": 1, ") }), firstPage],
    ["TimeoutError", () => Effect.never, firstPage],
    ["DecodeError", () => Effect.succeed({ status: 200, body: "{not json" }), firstPage],
    ["DecodeError", () => Effect.succeed(MockHttp.json(200, envelope(1, 1, [product(1, { price: "12" })]))), firstPage],
    ["PaginationError", () => Effect.succeed(MockHttp.json(200, envelope(1, 3, [product(1)]))), (f) => f.products.page(2)],
    [
      "BadRequest",
      () => Effect.succeed(MockHttp.json(200, envelope(1, 0))),
      (figgro) => Stream.runDrain(figgro.jobRuns.stream({ startDate: DateTime.unsafeMake(0), endDate: "not a date" }))
    ]
  ]

  scenarios.forEach(([tag, handler, use], index) => {
    it.effect(`never appears in a ${tag} (case ${index + 1}), however it is printed`, () =>
      Effect.gen(function*() {
        const { handler: recorded, sent } = recording((request) => handler(request))
        const exit = yield* Effect.flatMap(Figgro, use).pipe(
          withClient(recorded, { retry: { maxAttempts: 1 }, requestTimeout: "1 second" }),
          Effect.exit,
          runFor("2 seconds")
        )
        assert(Exit.isFailure(exit))
        const error = Cause.squash(exit.cause) as Error & { readonly _tag: string }
        assert.strictEqual(error._tag, tag)
        for (const text of [String(error), JSON.stringify(error), error.message, Cause.pretty(exit.cause)]) {
          assert.notInclude(text, secretKey)
        }
        // The key did travel, in its header: what the test sees is redaction, not absence.
        for (const { request } of sent) assert.strictEqual(request.headers["x-api-key"], secretKey)
      }))
  })
})
