import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import { busiestWindow, envelope, pageOf, product, productPage, recording, runFor, uuid, withClient } from "../test/fixtures.js"
import { Figgro } from "./Figgro.js"
import * as Metrics from "./Metrics.js"
import * as MockHttp from "./testing/MockHttp.js"

/** A server of `totalPages` pages, one product on each (product n on page n). */
const pagesServer = (totalPages: number) => recording((request) => Effect.succeed(productPage(pageOf(request), totalPages)))

const requestedPages = (sent: ReadonlyArray<{ readonly request: MockHttp.MockRequest }>) => sent.map((s) => pageOf(s.request))

describe("streams", () => {
  it.effect("are lazy: nothing is sent until the stream runs, and take(1) costs one request", () => {
    const { handler, sent } = pagesServer(3)
    return Effect.gen(function*() {
      const figgro = yield* Figgro
      const stream = figgro.products.stream()
      assert.strictEqual(sent.length, 0)
      const first = yield* Stream.runCollect(Stream.take(stream, 1))
      assert.deepStrictEqual(Chunk.toArray(first).map((p) => p.id), [uuid(1)])
      assert.strictEqual(sent.length, 1)
    }).pipe(withClient(handler))
  })

  it.effect("walk every page in order and stop after total_pages", () =>
    Effect.gen(function*() {
      const { handler, sent } = pagesServer(4)
      const products = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.products.stream())).pipe(
        withClient(handler)
      )
      assert.deepStrictEqual(Chunk.toArray(products).map((p) => p.id), [uuid(1), uuid(2), uuid(3), uuid(4)])
      assert.deepStrictEqual(requestedPages(sent), [1, 2, 3, 4])
    }))

  it.effect("an empty result set costs exactly one request", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording(() => Effect.succeed(MockHttp.json(200, envelope(1, 0, [], 0))))
      const count = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCount(figgro.products.stream())).pipe(
        withClient(handler)
      )
      assert.strictEqual(count, 0)
      assert.strictEqual(sent.length, 1)
    }))

  it.effect("startPage resumes a walk where it stopped", () =>
    Effect.gen(function*() {
      const { handler, sent } = pagesServer(5)
      const pages = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.products.pages({ startPage: 3 }))).pipe(
        withClient(handler)
      )
      assert.deepStrictEqual(Chunk.toArray(pages).map((p) => p.page), [3, 4, 5])
      assert.deepStrictEqual(requestedPages(sent), [3, 4, 5])
    }))

  it.effect("read-ahead fetches pages concurrently, through the same budget, and still emits them in order", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let mostInFlight = 0
      // Later pages answer sooner: page 1 takes 600 ms, page 6 takes 100 ms.
      const { handler, sent } = recording((request) =>
        Effect.gen(function*() {
          inFlight++
          mostInFlight = Math.max(mostInFlight, inFlight)
          yield* Effect.sleep(`${(7 - pageOf(request)) * 100} millis`)
          inFlight--
          return productPage(pageOf(request), 6)
        })
      )
      const pages = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.products.pages({ concurrency: 4 }))).pipe(
        withClient(handler, { budget: { limit: 3 } }),
        runFor("2 hours")
      )
      assert.deepStrictEqual(Chunk.toArray(pages).map((p) => p.page), [1, 2, 3, 4, 5, 6])
      assert.deepStrictEqual(Chunk.toArray(pages).map((p) => p.data[0]?.id), [1, 2, 3, 4, 5, 6].map(uuid))
      assert(mostInFlight > 1, "pages were fetched one at a time")
      assert.strictEqual(busiestWindow(sent, 60 * 60_000), 3)
    }))

  it.effect("read-ahead defaults to FiggroConfig.readAhead", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let mostInFlight = 0
      const { handler } = recording((request) =>
        Effect.gen(function*() {
          inFlight++
          mostInFlight = Math.max(mostInFlight, inFlight)
          yield* Effect.sleep("1 second")
          inFlight--
          return productPage(pageOf(request), 8)
        })
      )
      yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.products.stream())).pipe(
        withClient(handler, { readAhead: 3 }),
        runFor("1 minute")
      )
      assert.strictEqual(mostInFlight, 3)
    }))

  it.effect("a response for another page than the one asked is a PaginationError, not a loop", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording(() => Effect.succeed(productPage(1, 3)))
      const error = yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.products.stream())).pipe(
        Effect.flip,
        withClient(handler)
      )
      assert(error._tag === "PaginationError")
      assert.strictEqual(error.page, 2)
      assert.strictEqual(error.receivedPage, 1)
      assert.strictEqual(sent.length, 2)
    }))

  it.effect("a 404 past page 1 ends the walk", () =>
    Effect.gen(function*() {
      const { handler, sent } = recording((request) =>
        Effect.succeed(
          pageOf(request) >= 3 ? MockHttp.json(404, { code: "NOT_FOUND", message: "no such page" }) : productPage(pageOf(request), 5)
        )
      )
      const pages = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.products.pages())).pipe(
        withClient(handler)
      )
      assert.deepStrictEqual(Chunk.toArray(pages).map((p) => p.page), [1, 2])
      assert.strictEqual(sent.length, 3)
    }))

  it.effect("a 404 on page 1 is a NotFound", () =>
    Effect.gen(function*() {
      const { handler } = recording(() => Effect.succeed(MockHttp.json(404, { code: "NOT_FOUND", message: "no such endpoint" })))
      const error = yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.products.stream())).pipe(
        Effect.flip,
        withClient(handler)
      )
      assert.strictEqual(error._tag, "NotFound")
    }))

  it.effect("total_records changing between pages is counted as drift, and each page shows its total", () =>
    Effect.gen(function*() {
      const totals = [50, 51, 51]
      const { handler } = recording((request) =>
        Effect.succeed(MockHttp.json(200, envelope(pageOf(request), 3, [product(pageOf(request))], totals[pageOf(request) - 1])))
      )
      const before = yield* Metric.value(Metrics.drift)
      const pages = yield* Effect.flatMap(Figgro, (figgro) => Stream.runCollect(figgro.products.pages())).pipe(
        withClient(handler)
      )
      const after = yield* Metric.value(Metrics.drift)
      assert.deepStrictEqual(Chunk.toArray(pages).map((p) => p.totalRecords), [50, 51, 51])
      assert.strictEqual(after.count - before.count, 1)
    }))
})
