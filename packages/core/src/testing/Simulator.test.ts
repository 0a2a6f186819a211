import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Endpoints from "../Endpoints.js"
import { Figgro } from "../Figgro.js"
import * as OpenApi from "../OpenApi.js"
import type { MockRequest } from "./MockHttp.js"
import * as FiggroTest from "./FiggroTest.js"
import * as Faults from "./simulator/Faults.js"
import { defaultKey, type Outcome, Simulator, type SimulatorShape, swaggerPath } from "./Simulator.js"

const products = Endpoints.products.path
const jobRuns = Endpoints.jobRuns.path

const request = (
  path: string,
  query: Record<string, string> = {},
  options: { readonly key?: string | null; readonly method?: string } = {}
): MockRequest => ({
  method: options.method ?? "GET",
  path,
  query: new URLSearchParams(query),
  headers: options.key === null ? {} : { "x-api-key": options.key ?? defaultKey }
})

const get = (sim: SimulatorShape, path: string, query: Record<string, string> = {}, key?: string | null) =>
  sim.handleRaw(request(path, query, key === undefined ? {} : { key }))

/** The response of a plain outcome, failing the test on a reset, hang or truncation. */
const response = (outcome: Outcome) => {
  if (outcome._tag !== "Response") return assert.fail(`expected a response, got ${outcome._tag}`)
  return outcome
}
const json = (outcome: Outcome): any => JSON.parse(response(outcome).body)

const walk = (
  sim: SimulatorShape,
  path: string,
  query: Record<string, string> = {}
): Effect.Effect<ReadonlyArray<any>> =>
  Effect.gen(function*() {
    const first = json(yield* get(sim, path, query))
    const records: Array<any> = [...first.data]
    for (let page = 2; page <= first.total_pages; page++) {
      records.push(...json(yield* get(sim, path, { ...query, page: String(page) })).data)
    }
    return records
  })

const truth = (sim: SimulatorShape, resource: Endpoints.ResourceName, filters?: { startDate?: string; endDate?: string }) =>
  Effect.map(Stream.runCollect(sim.groundTruth(resource, filters)), Chunk.toReadonlyArray)

describe("Simulator", () => {
  describe("pagination", () => {
    it.effect("answers the documented envelope, 25 a page, page 1 by default", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const outcome = response(yield* get(sim, products))
        assert.strictEqual(outcome.status, 200)
        const body = JSON.parse(outcome.body)
        assert.deepStrictEqual(
          { ...body, data: body.data.length },
          { page: 1, page_size: 25, total_records: 142, total_pages: 6, data: 25 }
        )
        assert.strictEqual(json(yield* get(sim, products, { page: "6" })).data.length, 17)
      }))

    it.effect("a walk of every page returns exactly the ground truth, in order", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ counts: { "raw-materials": 101 } })
        const walked = yield* walk(sim, Endpoints.rawMaterials.path)
        const expected = yield* truth(sim, "raw-materials")
        assert.strictEqual(walked.length, 101)
        assert.deepStrictEqual(walked, expected)
      }))

    it.effect("a page past the end is 200 with no data and the true totals; an empty set has zero pages", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ counts: { products: 30, "job-runs": 0 } })
        const past = json(yield* get(sim, products, { page: "9" }))
        assert.deepStrictEqual(past, { page: 9, page_size: 25, total_records: 30, total_pages: 2, data: [] })
        const empty = json(yield* get(sim, jobRuns))
        assert.deepStrictEqual(empty, { page: 1, page_size: 25, total_records: 0, total_pages: 0, data: [] })
      }))

    it.effect("with pastLastPage 'not-found', a page past the end is 404, as some servers answer", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ counts: { products: 30, "job-runs": 0 }, pastLastPage: "not-found" })
        const past = response(yield* get(sim, products, { page: "3" }))
        assert.strictEqual(past.status, 404)
        assert.strictEqual(JSON.parse(past.body).code, "NOT_FOUND")
        assert.strictEqual(json(yield* get(sim, products, { page: "2" })).data.length, 5)
        // Page 1 of an empty set is still the empty envelope, not a 404.
        assert.deepStrictEqual(json(yield* get(sim, jobRuns)).total_pages, 0)
      }))

    it.effect("the client's walk ends at such a 404 when records vanish mid-walk", () =>
      Effect.gen(function*() {
        const figgro = yield* Figgro
        const sim = yield* Simulator
        // After page 1, 30 of 75 products are deleted: page 3, already asked for, is now past the end.
        yield* sim.addFault(Faults.make(Faults.drift("products", -30), Faults.onRequest(1)))
        const pages = yield* Stream.runCollect(figgro.products.pages({ concurrency: 3 }))
        assert.deepStrictEqual(Chunk.toReadonlyArray(pages).map((p) => p.page), [1, 2])
        assert.deepStrictEqual((yield* sim.log).map((entry) => entry.status), [200, 200, 404])
      }).pipe(Effect.provide(FiggroTest.layerSimulator({ counts: { products: 75 }, pastLastPage: "not-found" }))))

    it.effect("page 0, negative, fractional or text is 400 BAD_REQUEST", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        for (const page of ["0", "-1", "1.5", "two", ""]) {
          const outcome = response(yield* get(sim, products, { page }))
          assert.strictEqual(outcome.status, 400, page)
          assert.strictEqual(JSON.parse(outcome.body).code, "BAD_REQUEST")
          assert.include(JSON.parse(outcome.body).message, "page")
        }
      }))
  })

  describe("date filters", () => {
    it.effect("startDate/endDate are inclusive on the date field; a date-only endDate includes the whole day", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const all = yield* truth(sim, "job-runs")
        const day = (all[600]!["scheduledDate"] as string).slice(0, 10)
        const start = all[300]!["scheduledDate"] as string
        const walked = yield* walk(sim, jobRuns, { startDate: start, endDate: day })
        const expected = all.filter((r) => {
          const d = r["scheduledDate"] as string
          return d >= start && d.slice(0, 10) <= day
        })
        assert.isAbove(expected.length, 250)
        assert.deepStrictEqual(walked.map((r) => r.id), expected.map((r) => r["id"]))
        // The record exactly at startDate is in; the day's last run is in.
        assert.strictEqual(walked[0].scheduledDate, start)
        assert.strictEqual(walked[walked.length - 1].scheduledDate.slice(0, 10), day)
        assert.strictEqual(yield* sim.count("job-runs", { startDate: start, endDate: day }), expected.length)
      }))

    it.effect("a filter that matches nothing is an empty set; tickets filter on ticketDate", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const none = json(yield* get(sim, jobRuns, { startDate: "2030-01-01" }))
        assert.strictEqual(none.total_records, 0)
        assert.strictEqual(none.total_pages, 0)
        const tickets = json(yield* get(sim, Endpoints.jobRunTickets.path, { startDate: "2026-03-01", endDate: "2026-03-01" }))
        assert.isAbove(tickets.total_records, 0)
        for (const t of tickets.data) assert.strictEqual(t.ticketDate.slice(0, 10), "2026-03-01")
      }))

    it.effect("an invalid date or a start after the end is 400; endpoints without a date field ignore dates", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        for (
          const query of [
            { startDate: "2026-02-30" },
            { endDate: "01/11/2026" },
            { startDate: "2026-11-01T25:00:00Z" },
            { startDate: "2026-11-02", endDate: "2026-11-01" }
          ]
        ) {
          const outcome = response(yield* get(sim, jobRuns, query))
          assert.strictEqual(outcome.status, 400, JSON.stringify(query))
          assert.strictEqual(JSON.parse(outcome.body).code, "BAD_REQUEST")
        }
        assert.strictEqual(response(yield* get(sim, jobRuns, { startDate: "2026-11-01T08:30:00+02:00" })).status, 200)
        assert.strictEqual(json(yield* get(sim, products, { startDate: "2030-01-01" })).total_records, 142)
      }))
  })

  describe("routing and auth", () => {
    it.effect("unknown path 404, non-GET 405, both JSON; paths match case-insensitively", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const missing = response(yield* get(sim, "/api/v1/Inventory/getwidgets"))
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(JSON.parse(missing.body).code, "NOT_FOUND")
        const post = response(yield* sim.handleRaw(request(products, {}, { method: "POST" })))
        assert.strictEqual(post.status, 405)
        assert.strictEqual(post.headers["Allow"], "GET")
        assert.strictEqual(JSON.parse(post.body).code, "METHOD_NOT_ALLOWED")
        assert.strictEqual(response(yield* get(sim, products.toLowerCase())).status, 200)
      }))

    it.effect("a missing or unknown key is 401 UNAUTHORIZED", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ keys: ["fgr_a"] })
        for (const key of [null, "fgr_simulator", "fgr_b"]) {
          const outcome = response(yield* get(sim, products, {}, key))
          assert.strictEqual(outcome.status, 401)
          assert.deepStrictEqual(JSON.parse(outcome.body), {
            code: "UNAUTHORIZED",
            message: "Invalid or missing X-Api-Key header."
          })
        }
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_a")).status, 200)
      }))

    it.effect("a key expires after N requests, or at a time on Effect's Clock", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({
          keys: [{ key: "fgr_short", expiresAfterRequests: 2 }, { key: "fgr_dated", expiresAt: 60_000 }]
        })
        const statuses = []
        for (let i = 0; i < 3; i++) statuses.push(response(yield* get(sim, products, {}, "fgr_short")).status)
        assert.deepStrictEqual(statuses, [200, 200, 401])
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_dated")).status, 200)
        yield* TestClock.adjust("59 seconds")
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_dated")).status, 200)
        yield* TestClock.adjust("1 second")
        const expired = response(yield* get(sim, products, {}, "fgr_dated"))
        assert.strictEqual(expired.status, 401)
        assert.include(JSON.parse(expired.body).message, "expired")
      }))

    it.effect("a scoped key is 403 FORBIDDEN elsewhere", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ keys: [{ key: "fgr_inv", scopes: ["products", "raw-materials"] }] })
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_inv")).status, 200)
        const denied = response(yield* get(sim, jobRuns, {}, "fgr_inv"))
        assert.strictEqual(denied.status, 403)
        assert.strictEqual(JSON.parse(denied.body).code, "FORBIDDEN")
      }))

    it.effect("serves the generated OpenAPI document without a key", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const outcome = response(yield* get(sim, swaggerPath, {}, null))
        assert.strictEqual(outcome.status, 200)
        assert.deepStrictEqual(JSON.parse(outcome.body), OpenApi.document())
      }))
  })

  describe("rate limit", () => {
    it.effect("counts per key on a rolling window from Effect's Clock, with the documented headers", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ keys: ["fgr_a", "fgr_b"], limit: 3, window: "1 minute" })
        yield* TestClock.adjust("10 seconds")
        const first = response(yield* get(sim, products, {}, "fgr_a"))
        assert.strictEqual(first.headers["X-RateLimit-Limit"], "3")
        assert.strictEqual(first.headers["X-RateLimit-Remaining"], "2")
        assert.strictEqual(first.headers["X-RateLimit-Reset"], "70")
        yield* TestClock.adjust("20 seconds")
        yield* get(sim, products, {}, "fgr_a")
        const third = response(yield* get(sim, products, {}, "fgr_a"))
        assert.strictEqual(third.headers["X-RateLimit-Remaining"], "0")
        // Reset is when Remaining next rises: the oldest request (at 10s) leaves the window.
        assert.strictEqual(third.headers["X-RateLimit-Reset"], "70")
        const refused = response(yield* get(sim, products, {}, "fgr_a"))
        assert.strictEqual(refused.status, 429)
        assert.strictEqual(JSON.parse(refused.body).code, "RATE_LIMITED")
        assert.strictEqual(refused.headers["Retry-After"], "40")
        // Another key has its own window.
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_b")).status, 200)
        yield* TestClock.adjust("39 seconds")
        assert.strictEqual(response(yield* get(sim, products, {}, "fgr_a")).status, 429)
        yield* TestClock.adjust("1 second")
        const again = response(yield* get(sim, products, {}, "fgr_a"))
        assert.strictEqual(again.status, 200)
        assert.strictEqual(again.headers["X-RateLimit-Remaining"], "0")
        assert.strictEqual(again.headers["X-RateLimit-Reset"], "90")

        const stats = yield* sim.stats
        assert.strictEqual(stats.rateLimited, 2)
        assert.strictEqual(stats.byKey["fgr_a"], 6)
        // 429s do not count.
        assert.strictEqual(stats.countedByKey["fgr_a"], 4)
        assert.strictEqual(yield* sim.maxInAnyWindow("fgr_a"), 3)
      }))

    it.effect("accepted requests never exceed the limit in any rolling window, across the window boundary", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ limit: 1000, window: "1 hour" })
        for (let i = 0; i < 1000; i++) yield* get(sim, products)
        yield* TestClock.adjust("59 minutes")
        assert.strictEqual(response(yield* get(sim, products)).status, 429)
        yield* TestClock.adjust("1 minute")
        for (let i = 0; i < 10; i++) assert.strictEqual(response(yield* get(sim, products)).status, 200)
        assert.strictEqual(yield* sim.maxInAnyWindow(defaultKey), 1000)
        assert.strictEqual((yield* sim.stats).requests, 1011)
      }))

    it.effect("every response has a distinct X-Request-Id and the log records each request", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const a = response(yield* get(sim, products, { page: "2" }))
        yield* TestClock.adjust("5 seconds")
        const b = response(yield* get(sim, "/nope", {}, null))
        assert.notStrictEqual(a.headers["X-Request-Id"], b.headers["X-Request-Id"])
        assert.isDefined(b.headers["X-RateLimit-Remaining"])
        const log = yield* sim.log
        assert.deepStrictEqual(
          log.map(({ counted, key, n, page, path, resource, status, time }) => ({ n, time, key, path, resource, page, status, counted })),
          [
            { n: 1, time: 0, key: defaultKey, path: products, resource: "products", page: 2, status: 200, counted: true },
            { n: 2, time: 5000, key: undefined, path: "/nope", resource: undefined, page: 1, status: 404, counted: false }
          ]
        )
      }))
  })

  describe("faults", () => {
    it.effect("500 JSON by request number, 503 HTML by endpoint and page (once by default)", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({
          faults: [
            Faults.make(Faults.serverError, Faults.onRequest(2)),
            Faults.make(Faults.unavailable, Faults.onEndpoint("products", 3))
          ]
        })
        assert.strictEqual(response(yield* get(sim, products)).status, 200)
        const error = response(yield* get(sim, products))
        assert.strictEqual(error.status, 500)
        assert.strictEqual(JSON.parse(error.body).code, "INTERNAL_ERROR")
        assert.strictEqual(response(yield* get(sim, products)).status, 200)
        const html = response(yield* get(sim, products, { page: "3" }))
        assert.strictEqual(html.status, 503)
        assert.strictEqual(html.headers["Content-Type"], "text/html")
        assert.include(html.body, "<html>")
        assert.strictEqual(response(yield* get(sim, products, { page: "3" })).status, 200)
      }))

    it.effect("429 with Retry-After in seconds or as an HTTP-date; injected 429s do not count", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ faults: Either.getOrThrow(Faults.parse("429@req:1:retry-after=2s,429-date@req:2")) })
        yield* TestClock.adjust("1500 millis")
        const seconds = response(yield* get(sim, products))
        assert.strictEqual(seconds.status, 429)
        assert.strictEqual(seconds.headers["Retry-After"], "2")
        const date = response(yield* get(sim, products))
        // now 1.5s + 2s = 3.5s, rounded up to the next whole second.
        assert.strictEqual(date.headers["Retry-After"], "Thu, 01 Jan 1970 00:00:04 GMT")
        assert.strictEqual(JSON.parse(date.body).code, "RATE_LIMITED")
        const stats = yield* sim.stats
        assert.strictEqual(stats.rateLimited, 0)
        assert.strictEqual(stats.countedByKey[defaultKey] ?? 0, 0)
      }))

    it.effect("latency, fixed or jittered, is slept on Effect's Clock", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ latency: "100 millis", faults: [Faults.make(Faults.latency("1 second"), Faults.onRequest(1))] })
        const fiber = yield* Effect.fork(get(sim, products))
        yield* TestClock.adjust("1099 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(response(yield* Fiber.join(fiber)).status, 200)

        const jittered = yield* Simulator.make({ faults: Either.getOrThrow(Faults.parse("latency=50..150ms")) })
        const delays: Array<number> = []
        for (let i = 0; i < 12; i++) {
          const f = yield* Effect.fork(get(jittered, products))
          yield* TestClock.adjust("49 millis")
          assert.isTrue(Option.isNone(yield* Fiber.poll(f)))
          // Then in 10ms steps: each delay lands in one 10ms bucket between 50 and 150.
          let waited = 49
          while (Option.isNone(yield* Fiber.poll(f))) {
            yield* TestClock.adjust("10 millis")
            waited += 10
          }
          delays.push(waited)
        }
        assert.isTrue(delays.every((d) => d >= 59 && d <= 159), String(delays))
        assert.isAbove(new Set(delays).size, 3)
      }))

    it.effect("hang never answers; reset fails the request; truncate cuts the body", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ faults: Either.getOrThrow(Faults.parse("hang@req:1,reset@req:2,truncate@req:3")) })
        const hung = yield* Effect.fork(sim.handle(request(products)))
        yield* TestClock.adjust("1 hour")
        assert.isTrue(Option.isNone(yield* Fiber.poll(hung)))
        yield* Fiber.interrupt(hung)
        const reset = yield* Effect.either(sim.handle(request(products)))
        assert.isTrue(Either.isLeft(reset) && reset.left._tag === "ConnectionReset")
        const truncated = yield* sim.handleRaw(request(products))
        assert.strictEqual(truncated._tag, "Truncated")
        if (truncated._tag === "Truncated") {
          assert.strictEqual(truncated.status, 200)
          assert.isAbove(truncated.cutAt, 0)
          assert.isBelow(truncated.cutAt, truncated.body.length)
        }
        const log = yield* sim.log
        assert.deepStrictEqual(log.map((e) => e.outcome), ["Hang", "Reset", "Truncated"])
      }))

    it.effect("malformed JSON, a wrong page echoed, and a record violating a documented type", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ faults: Either.getOrThrow(Faults.parse("malformed@req:1,wrong-page@req:2,bad-record@products:2")) })
        const malformed = response(yield* get(sim, products))
        assert.strictEqual(malformed.status, 200)
        assert.throws(() => JSON.parse(malformed.body))
        assert.strictEqual(json(yield* get(sim, products, { page: "4" })).page, 5)
        const bad = json(yield* get(sim, products, { page: "2" }))
        assert.strictEqual(typeof bad.data[0].price, "string")
        const decoded = Schema.decodeUnknownEither(Endpoints.Product)(bad.data[0])
        assert.isTrue(Either.isLeft(decoded) && decoded.left.message.includes("price"))
        assert.strictEqual(typeof bad.data[1].price, "number")
      }))

    it.effect("probabilistic faults are deterministic in the seed", () =>
      Effect.gen(function*() {
        const resets = (seed: number) =>
          Effect.gen(function*() {
            const sim = yield* Simulator.make({ seed, faults: [Faults.make(Faults.reset, Faults.withProbability(0.25))] })
            for (let i = 0; i < 200; i++) yield* sim.handleRaw(request(products))
            return (yield* sim.log).filter((e) => e.outcome === "Reset").map((e) => e.n)
          })
        const a = yield* resets(1)
        assert.deepStrictEqual(yield* resets(1), a)
        assert.notDeepEqual(yield* resets(2), a)
        assert.isTrue(a.length > 25 && a.length < 80, String(a.length))
      }))

    it.effect("faults can be added at runtime and fire a set number of times", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        yield* sim.addFault(Faults.make(Faults.serverError, Faults.onEndpoint("job-runs"), { times: 2 }))
        const statuses = []
        for (let i = 0; i < 3; i++) statuses.push(response(yield* get(sim, jobRuns)).status)
        assert.deepStrictEqual(statuses, [500, 500, 200])
        assert.strictEqual(response(yield* get(sim, products)).status, 200)
      }))

    it.effect("drift between requests makes a naive walk repeat and skip; ground truth follows it", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({
          counts: { products: 60 },
          faults: Either.getOrThrow(Faults.parse("drift@req:1:products:+3"))
        })
        const before = yield* truth(sim, "products")
        const walked = yield* walk(sim, products)
        const after = yield* truth(sim, "products")
        assert.strictEqual(after.length, 63)
        assert.strictEqual(yield* sim.count("products"), 63)
        const ids = walked.map((r) => r.id)
        assert.strictEqual(ids.length - new Set(ids).size, 3, "three records repeated")
        const missed = after.filter((r) => !ids.includes(r["id"]))
        assert.deepStrictEqual(missed, after.slice(0, 3), "the three inserted at the front were skipped")
        assert.deepStrictEqual(after.slice(3), before)
        // Inserted records are valid too.
        for (const r of missed) assert.isTrue(Either.isRight(Schema.decodeUnknownEither(Endpoints.Product)(r)))

        yield* sim.drift("products", -10, 20)
        assert.strictEqual(yield* sim.count("products"), 53)
        assert.deepStrictEqual(yield* truth(sim, "products"), [...after.slice(0, 20), ...after.slice(30)])
      }))
  })

  describe("scale", () => {
    it.effect("a million records: any page and any date range in flat memory, without a scan", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ counts: { "job-run-tickets": 1_000_000 } })
        const path = Endpoints.jobRunTickets.path
        const last = json(yield* get(sim, path, { page: "40000" }))
        assert.strictEqual(last.total_pages, 40_000)
        assert.strictEqual(last.data.length, 25)
        assert.match(last.data[24].ticketNumber, /-1000000$/)
        const march = json(yield* get(sim, path, { startDate: "2026-03-01", endDate: "2026-03-31", page: "100" }))
        assert.isAbove(march.total_records, 40_000)
        for (const t of march.data) assert.strictEqual(t.ticketDate.slice(0, 7), "2026-03")
        const slice = yield* truth(sim, "job-run-tickets", { startDate: "2026-06-01", endDate: "2026-06-01" })
        assert.strictEqual(slice.length, yield* sim.count("job-run-tickets", { startDate: "2026-06-01", endDate: "2026-06-01" }))
        assert.isAbove(slice.length, 1000)
      }))
  })

  describe("as an HttpClient", () => {
    it.effect("layerTest answers HttpClient requests, query params included", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(
          HttpClientRequest.get(`https://developer.figgro.com${products}`, {
            urlParams: { page: 2 },
            headers: { "X-Api-Key": defaultKey, accept: "application/json" }
          })
        )
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers["x-ratelimit-remaining"], "999")
        const body: any = yield* response.json
        assert.strictEqual(body.page, 2)
        const sim = yield* Simulator
        assert.strictEqual((yield* sim.log)[0]!.page, 2)
      }).pipe(Effect.provide(Simulator.layerTest())))

    it.effect("reset becomes a transport error; a truncated body fails while reading", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const send = client.execute(HttpClientRequest.get(`http://sim${products}`, { headers: { "X-Api-Key": defaultKey } }))
        const reset = yield* Effect.flip(send)
        assert.strictEqual(reset._tag, "RequestError")
        assert.strictEqual(reset.reason, "Transport")
        const truncated = yield* send
        assert.strictEqual(truncated.status, 200)
        const read = yield* Effect.either(truncated.text)
        assert.isTrue(Either.isLeft(read))
      }).pipe(Effect.provide(Simulator.layerTest({ faults: Either.getOrThrow(Faults.parse("reset@req:1,truncate@req:2")) }))))
  })
})
