/**
 * Shared data and helpers for the core tests: envelopes, records, and a
 * handler that records every request with the (test) time it arrived.
 */
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Figgro } from "../src/Figgro.js"
import type { FiggroConfigOptions } from "../src/FiggroConfig.js"
import * as FiggroTest from "../src/testing/FiggroTest.js"
import type { MockHandler, MockRequest, MockResponse } from "../src/testing/MockHttp.js"
import * as MockHttp from "../src/testing/MockHttp.js"
import { maxInAnyWindow } from "../src/testing/simulator/RateWindow.js"

/** A distinctive key: tests assert it never leaks into errors, spans or logs. */
export const secretKey = "fgr_SECRET_visible_never"

/** The n-th test uuid. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

/** A product with every documented field. */
export const product = (n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: uuid(n),
  productName: `Product ${n}`,
  sku: `SKU-${n}`,
  productType: "Tincture",
  classification: "Finished",
  brand: null,
  strain: null,
  unitOfMeasurement: "ml",
  price: 10,
  costPrice: 4,
  stockOnHand: 5,
  reservedQuantity: 1,
  availableQuantity: 4,
  minimumStockLevel: 2,
  isActive: true,
  isArchived: false,
  trackInventory: true,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-02T00:00:00Z",
  ...overrides
})

/** The pagination envelope. */
export const envelope = (
  page: number,
  totalPages: number,
  data: ReadonlyArray<unknown> = [],
  totalRecords = totalPages * 25
) => ({ page, page_size: 25, total_records: totalRecords, total_pages: totalPages, data })

/** A 200 page of `totalPages` pages, one product per page, numbered by page. */
export const productPage = (page: number, totalPages: number): MockResponse =>
  MockHttp.json(200, envelope(page, totalPages, page <= totalPages ? [product(page)] : [], totalPages))

/** The `page` query parameter of a request. */
export const pageOf = (request: MockRequest): number => Number(request.query.get("page"))

export interface Sent {
  readonly request: MockRequest
  /** Test-clock time the handler saw the request, epoch ms. */
  readonly at: number
}

/** A handler that logs each request and its arrival time into `sent`, then answers with `answer`. */
export const recording = (
  answer: (request: MockRequest, index: number) => Effect.Effect<MockResponse, MockHttp.ConnectionReset>
): { readonly sent: Array<Sent>; readonly handler: MockHandler } => {
  const sent: Array<Sent> = []
  const handler: MockHandler = (request) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      sent.push({ request, at })
      return answer(request, sent.length - 1)
    })
  return { sent, handler }
}

/** Retry delays measured between consecutive requests. */
export const gaps = (sent: ReadonlyArray<Sent>): Array<number> => sent.slice(1).map((s, i) => s.at - sent[i]!.at)

/** Provides a `Figgro` client answered by `handler`, with the secret test key and these options. */
export const withClient = (handler: MockHandler, options: Partial<FiggroConfigOptions> = {}) =>
  Effect.provide(FiggroTest.layer(handler, { apiKey: secretKey, ...options }))

/** Page `page` of products. */
export const productsPage = (page = 1) => Effect.flatMap(Figgro, (figgro) => figgro.products.page(page))

/** Runs `self` in a fiber while the test clock moves `duration` ahead, then joins it. */
export const runFor = (duration: Duration.DurationInput) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(duration)
    return yield* Fiber.join(fiber)
  })

/** The most requests sent in any window of `windowMillis`. */
export const busiestWindow = (sent: ReadonlyArray<Sent>, windowMillis: number): number =>
  maxInAnyWindow(sent.map((s) => s.at).sort((a, b) => a - b), windowMillis)
