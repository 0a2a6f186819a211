import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { envelope, product, productsPage, recording, runFor, secretKey, withClient } from "../test/fixtures.js"
import * as Metrics from "./Metrics.js"
import * as MockHttp from "./testing/MockHttp.js"

const once = { retry: { maxAttempts: 1 } }

describe("FiggroHttp", () => {
  it.effect("sends GET with the key, accept: application/json and the page as a query parameter", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording(() => Effect.succeed(MockHttp.json(200, envelope(3, 3, [product(1)]))))
      const page = yield* productsPage(3).pipe(withClient(handler))
      assert.strictEqual(page.page, 3)
      assert.strictEqual(sent.length, 1)
      const { request } = sent[0]!
      assert.strictEqual(request.method, "GET")
      assert.strictEqual(request.path, "/api/v1/Inventory/getproducts")
      assert.strictEqual(request.query.get("page"), "3")
      assert.strictEqual(request.headers["x-api-key"], secretKey)
      assert.strictEqual(request.headers["accept"], "application/json")
    }))

  it.effect("a page carries the envelope, the request id, the rate limit and its cost", () =>
    Effect.gen(function*() {
      const page = yield* productsPage(1).pipe(
        withClient(() =>
          Effect.succeed(MockHttp.json(200, envelope(1, 6, [product(1)], 142), {
            "x-request-id": "req-7",
            "x-ratelimit-limit": "1000",
            "x-ratelimit-remaining": "990",
            "x-ratelimit-reset": "3600"
          }))
        )
      )
      assert.deepStrictEqual(
        { ...page, data: page.data.map((p) => p.id) },
        {
          page: 1,
          pageSize: 25,
          totalRecords: 142,
          totalPages: 6,
          data: [product(1).id as string],
          attempts: 1,
          rateLimitedAttempts: 0,
          rateLimit: { limit: 1000, remaining: 990, resetAt: 3_600_000 },
          requestId: "req-7"
        }
      )
    }))

  it.effect("a dropped connection is a TransportError", () =>
    Effect.gen(function*() {
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(() => Effect.fail(new MockHttp.ConnectionReset()), once)
      )
      assert(error._tag === "TransportError")
      assert.include(error.message, "connection reset")
      assert.strictEqual(error.endpoint, "/api/v1/Inventory/getproducts")
    }))

  it.effect("a body cut off midway is a TransportError, not a decode error", () =>
    Effect.gen(function*() {
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(() => Effect.succeed({ status: 200, body: MockHttp.truncatedBody("{\"page\": 1, \"data\": [") }), once)
      )
      assert(error._tag === "TransportError")
      assert.include(error.message, "body truncated")
    }))

  it.effect("a server that never answers is a TimeoutError after requestTimeout", () =>
    Effect.gen(function*() {
      const fiber = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(() => Effect.never, { ...once, requestTimeout: "10 seconds" }),
        Effect.fork
      )
      yield* TestClock.adjust("9999 millis")
      assert(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 milli")
      const error = yield* Fiber.join(fiber)
      assert(error._tag === "TimeoutError")
      assert.strictEqual(error.timeoutMillis, 10_000)
      assert.strictEqual(error.page, 1)
    }))

  it.effect("malformed JSON is a DecodeError", () =>
    Effect.gen(function*() {
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(() => Effect.succeed({ status: 200, body: "{\"page\": 1, \"data\": [" }))
      )
      assert(error._tag === "DecodeError")
      assert.include(error.message, "not valid JSON")
      assert.deepStrictEqual(error.path, [])
    }))

  it.effect("a body without the pagination envelope is a DecodeError naming the field", () =>
    Effect.gen(function*() {
      const error = yield* productsPage(1).pipe(
        Effect.flip,
        withClient(() => Effect.succeed(MockHttp.json(200, { page: 1, data: [] })))
      )
      assert(error._tag === "DecodeError")
      assert.include(error.message, "envelope")
      assert.strictEqual(error.path[0], "page_size")
    }))
})

describe("observability", () => {
  interface Recorded {
    readonly name: string
    readonly attributes: Map<string, unknown>
    readonly events: Array<Record<string, unknown>>
  }

  /** A tracer that keeps every span's name, attributes and event attributes. */
  const recordingTracer = () => {
    const spans: Array<Recorded> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind) => {
        const recorded: Recorded = { name, attributes: new Map(), events: [] }
        spans.push(recorded)
        let status: Tracer.SpanStatus = { _tag: "Started", startTime }
        const span: Tracer.Span = {
          _tag: "Span",
          name,
          spanId: `span-${spans.length}`,
          traceId: parent._tag === "Some" ? parent.value.traceId : `trace-${spans.length}`,
          parent,
          context,
          get status() {
            return status
          },
          attributes: recorded.attributes,
          links,
          sampled: true,
          kind,
          end: (endTime, exit) => {
            status = { _tag: "Ended", startTime, endTime, exit }
          },
          attribute: (key, value) => recorded.attributes.set(key, value),
          event: (_name, _time, attributes) => recorded.events.push(attributes ?? {}),
          addLinks: () => {}
        }
        return span
      },
      context: (f) => f()
    })
    return { spans, tracer }
  }

  it.effect("spans name the endpoint and page, and no attribute holds the key", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      yield* productsPage(2).pipe(
        Effect.flip,
        withClient(() => Effect.succeed(MockHttp.json(401, { code: "UNAUTHORIZED", message: "expired" }))),
        Effect.withTracer(tracer)
      )
      const request = spans.find((span) => span.name === "figgro.request")
      assert(request !== undefined)
      assert.strictEqual(request.attributes.get("figgro.endpoint"), "/api/v1/Inventory/getproducts")
      assert.strictEqual(request.attributes.get("figgro.page"), 2)
      assert.strictEqual(request.attributes.get("http.status"), 401)
      // The HTTP client's own span saw the header, redacted.
      const client = spans.find((span) => span.name.startsWith("http.client"))
      assert(client !== undefined)
      assert(client.attributes.has("http.request.header.x-api-key"))
      for (const span of spans) {
        for (const value of [...span.attributes.values(), ...span.events.flatMap(Object.values)]) {
          assert.notInclude(String(value), secretKey, `span ${span.name}`)
        }
      }
    }))

  it.effect("counts requests, retries and 429s", () =>
    Effect.gen(function*() {
      const count = Effect.all({
        requests: Metric.value(Metrics.requests),
        retries: Metric.value(Metrics.retries),
        rateLimited: Metric.value(Metrics.rateLimited)
      }).pipe(Effect.map((m) => ({ requests: m.requests.count, retries: m.retries.count, rateLimited: m.rateLimited.count })))
      const before = yield* count
      const answers = [
        MockHttp.json(429, { code: "RATE_LIMITED", message: "slow" }, { "retry-after": "1" }),
        MockHttp.json(500, { code: "INTERNAL_ERROR", message: "oops" }),
        MockHttp.json(200, envelope(1, 1, [product(1)]))
      ]
      const { handler } = recording((_, index) => Effect.succeed(answers[index]!))
      const page = yield* productsPage(1).pipe(withClient(handler), runFor("1 minute"))
      assert.strictEqual(page.attempts, 3)
      assert.strictEqual(page.rateLimitedAttempts, 1)
      const after = yield* count
      assert.deepStrictEqual(
        { requests: after.requests - before.requests, retries: after.retries - before.retries, rateLimited: after.rateLimited - before.rateLimited },
        { requests: 3, retries: 2, rateLimited: 1 }
      )
    }))
})
