/**
 * The simulator over a real socket: `SimulatorServer.serve` on a free
 * loopback port, driven by the real Node client (undici) and by plain
 * `fetch`. Each socket-level fault must reach the client as the typed error
 * a real network failure would produce.
 *
 * Real time (`it.scopedLive`): sockets, undici and the server's timers are
 * outside Effect's TestClock. The waits are kept short (timeouts of 200 ms,
 * Retry-After of 1 s), so the file runs in a few seconds.
 */
import { assert, describe, it } from "@effect/vitest"
import { Figgro, type FiggroConfigOptions, OpenApi } from "@figgro/core"
import { defaultKey, Faults, Simulator, type SimulatorOptions, swaggerPath } from "@figgro/core/testing"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as FiggroNode from "./FiggroNode.js"
import * as SimulatorServer from "./SimulatorServer.js"

const counts = { products: 60, "raw-materials": 40, "job-runs": 80, "job-run-tickets": 130, "product-job-run-tickets": 30 }

/** A simulator with small counts, served on a free port until the test's scope closes. */
const served = (options: SimulatorOptions = {}) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ counts, ...options })
    const server = yield* SimulatorServer.serve(sim.handleRaw, { port: 0 })
    return { sim, server }
  })

/** The real client against `url`; one attempt unless told otherwise, so a fault surfaces as it is. */
const client = (url: string, options: Partial<FiggroConfigOptions> = {}) =>
  FiggroNode.layer({ apiKey: defaultKey, baseUrl: url, retry: { maxAttempts: 1 }, ...options })

/** The error a request for `page` of products fails with. */
const productsError = (url: string, page: number, options: Partial<FiggroConfigOptions> = {}) =>
  Effect.flip(Effect.flatMap(Figgro, (figgro) => figgro.products.page(page)).pipe(Effect.provide(client(url, options))))

/** Polls `condition` every 10 ms until it holds, failing after `timeout`. */
const eventually = (condition: Effect.Effect<boolean>, timeout: Duration.DurationInput, what: string) =>
  Effect.gen(function*() {
    while (!(yield* condition)) yield* Effect.sleep(Duration.millis(10))
  }).pipe(Effect.timeoutFail({ duration: timeout, onTimeout: () => new Error(`timed out waiting until ${what}`) }))

/** The network error code behind a failed `fetch` (undici wraps it in `cause`). */
const fetchErrorCode = (url: string) =>
  Effect.tryPromise(() => fetch(url)).pipe(
    Effect.flip,
    Effect.map((error) => {
      const cause = (error.cause as { cause?: { code?: string } } | undefined)?.cause
      return cause?.code
    })
  )

describe("SimulatorServer over a real socket", () => {
  it.scopedLive("a full walk through the real client equals the simulator's ground truth", () =>
    Effect.gen(function*() {
      const { server, sim } = yield* served()
      const streamed = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.jobRunTickets.stream())).pipe(
        Effect.provide(client(server.url, { readAhead: 3 }))
      )
      const truth = yield* Stream.runCollect(sim.groundTruth("job-run-tickets"))
      assert.strictEqual(streamed.length, 130)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(Chunk.toArray(streamed))), Chunk.toArray(truth))
      const pages = (yield* sim.log).filter((entry) => entry.resource === "job-run-tickets").map((entry) => entry.page)
      assert.deepStrictEqual([...pages].sort((a, b) => a! - b!), [1, 2, 3, 4, 5, 6])
    }))

  it.scopedLive("plain fetch gets the documented envelope, rate-limit headers and the 401 body", () =>
    Effect.gen(function*() {
      const { server, sim } = yield* served()
      const path = "/api/v1/Inventory/getproducts?page=3"
      const response = yield* Effect.promise(() => fetch(server.url + path, { headers: { "x-api-key": defaultKey } }))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("x-ratelimit-limit"), "1000")
      assert.strictEqual(response.headers.get("x-ratelimit-remaining"), "999")
      const body = yield* Effect.promise(() => response.json() as Promise<Record<string, unknown>>)
      const truth = Chunk.toArray(yield* Stream.runCollect(sim.groundTruth("products")))
      assert.deepStrictEqual(body, { page: 3, page_size: 25, total_records: 60, total_pages: 3, data: truth.slice(50) })

      const refused = yield* Effect.promise(() => fetch(server.url + path))
      assert.strictEqual(refused.status, 401)
      assert.deepStrictEqual(yield* Effect.promise(() => refused.json()), {
        code: "UNAUTHORIZED",
        message: "Invalid or missing X-Api-Key header."
      })
    }))

  it.scopedLive("the OpenAPI document is served at /swagger/v1/swagger.json, without a key", () =>
    Effect.gen(function*() {
      const { server } = yield* served()
      const response = yield* Effect.promise(() => fetch(server.url + swaggerPath))
      assert.strictEqual(response.status, 200)
      const document = yield* Effect.promise(() => response.json())
      assert.deepStrictEqual(document, JSON.parse(JSON.stringify(OpenApi.document())))
      assert.deepStrictEqual(OpenApi.diff(OpenApi.document(), document), [])
    }))

  it.scopedLive("a connection reset is a TransportError", () =>
    Effect.gen(function*() {
      const { server, sim } = yield* served({ faults: [Faults.make(Faults.reset, Faults.onEndpoint("products", 2))] })
      const error = yield* productsError(server.url, 2)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" && error.page, 2)
      const [entry] = yield* sim.log
      assert.strictEqual(entry?.outcome, "Reset")
    }))

  it.scopedLive("a body cut short after its full Content-Length was promised is a TransportError", () =>
    Effect.gen(function*() {
      const { server, sim } = yield* served({ faults: [Faults.make(Faults.truncated, Faults.onEndpoint("products", 1))] })
      const error = yield* productsError(server.url, 1)
      assert.strictEqual(error._tag, "TransportError")
      assert.match(error.message, /body/i)
      assert.strictEqual((yield* sim.log)[0]?.outcome, "Truncated")
    }))

  it.scopedLive("a hanging server is a TimeoutError after the request timeout", () =>
    Effect.gen(function*() {
      const { server } = yield* served({ faults: [Faults.make(Faults.hang, Faults.onEndpoint("products", 1))] })
      const started = Date.now()
      const error = yield* productsError(server.url, 1, { requestTimeout: "200 millis" })
      const elapsed = Date.now() - started
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.timeoutMillis, 200)
      assert.isAtLeast(elapsed, 190)
      assert.isBelow(elapsed, 1_000)
    }))

  it.scopedLive("a load balancer's HTML 503 is ServiceUnavailable; a retry then gets the page", () =>
    Effect.gen(function*() {
      const { server } = yield* served({ faults: [Faults.make(Faults.unavailable, Faults.onEndpoint("products", 1))] })
      const error = yield* productsError(server.url, 1)
      assert.strictEqual(error._tag, "ServiceUnavailable")
      assert.strictEqual(error._tag === "ServiceUnavailable" && error.status, 503)
      // the fault fired once: the next request is answered
      const page = yield* Effect.flatMap(Figgro, (figgro) => figgro.products.page(1)).pipe(
        Effect.provide(client(server.url))
      )
      assert.strictEqual(page.data.length, 25)
    }))

  it.scopedLive("a 200 whose body is not JSON is a DecodeError", () =>
    Effect.gen(function*() {
      const { server } = yield* served({ faults: [Faults.make(Faults.malformedJson, Faults.onEndpoint("products", 2))] })
      const error = yield* productsError(server.url, 2)
      assert.strictEqual(error._tag, "DecodeError")
      assert.strictEqual(error._tag === "DecodeError" && error.page, 2)
    }))

  for (const form of ["seconds", "HTTP-date"] as const) {
    it.scopedLive(`a 429 with Retry-After in ${form} is waited out, then retried`, () =>
      Effect.gen(function*() {
        const kind = Faults.rateLimited("1 second", { asDate: form === "HTTP-date" })
        const { server, sim } = yield* served({ faults: [Faults.make(kind, Faults.onEndpoint("products", 1))] })
        // too short a maxRetryAfter: the 429 fails at once and says how long the server asked for
        const refused = yield* productsError(server.url, 1, { retry: { maxAttempts: 3, maxRetryAfter: "10 millis" } })
        assert.strictEqual(refused._tag, "RateLimited")
        if (refused._tag === "RateLimited") {
          assert.strictEqual(refused.status, 429)
          // seconds: exactly 1 s; a date: the next whole second at least 1 s on, less the time in transit
          assert.isAtLeast(refused.retryAfterMillis, 900)
          assert.isAtMost(refused.retryAfterMillis, 2_000)
        }

        yield* sim.addFault(Faults.make(kind, Faults.onEndpoint("products", 1)))
        const started = Date.now()
        const page = yield* Effect.flatMap(Figgro, (figgro) => figgro.products.page(1)).pipe(
          Effect.provide(client(server.url, { retry: { maxAttempts: 3, baseDelay: "10 millis" } }))
        )
        const elapsed = Date.now() - started
        assert.strictEqual(page.attempts, 2)
        assert.strictEqual(page.rateLimitedAttempts, 1)
        assert.isAtLeast(elapsed, 900)
        assert.isBelow(elapsed, 3_000)
        const log = yield* sim.log
        const [rateLimited, answered] = log.slice(-2)
        assert.strictEqual(rateLimited?.status, 429)
        assert.strictEqual(answered?.status, 200)
        assert.isAtLeast(answered!.time - rateLimited!.time, 900)
      }))
  }

  it.live("closing the scope stops the server, even with a request hanging", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ counts, faults: [Faults.make(Faults.hang, Faults.onEndpoint("products"))] })
      const scope = yield* Scope.make()
      const server = yield* SimulatorServer.serve(sim.handleRaw, { port: 0 }).pipe(Scope.extend(scope))
      const url = `${server.url}/api/v1/Inventory/getproducts?page=1`

      const hanging = yield* Effect.fork(
        Effect.tryPromise(() => fetch(url, { headers: { "x-api-key": defaultKey } }))
      )
      yield* eventually(Effect.map(sim.log, (log) => log.length === 1), "2 seconds", "the hanging request arrived")

      const started = Date.now()
      yield* Scope.close(scope, Exit.void)
      assert.isBelow(Date.now() - started, 1_000)

      // the hanging request's connection was dropped, and nothing listens any more
      const hung = yield* Effect.timeout(hanging.await, "2 seconds")
      assert.isTrue(Exit.isFailure(hung))
      assert.strictEqual(yield* fetchErrorCode(url), "ECONNREFUSED")
    }))
})
