import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { envelope, pageOf, recording, withClient } from "../test/fixtures.js"
import * as Endpoints from "./Endpoints.js"
import { Figgro } from "./Figgro.js"
import * as MockHttp from "./testing/MockHttp.js"

/** A server of `totalPages` empty pages that records what it is asked. */
const server = (totalPages = 1) =>
  recording((request) => Effect.succeed(MockHttp.json(200, envelope(pageOf(request), totalPages))))

const dates = (request: MockHttp.MockRequest) => [request.query.get("startDate"), request.query.get("endDate")]

describe("date filters", () => {
  it.effect("take a Date and an Effect DateTime, sent as ISO 8601 startDate/endDate", () =>
    Effect.gen(function*() {
      const { handler, sent } = server()
      yield* Effect.flatMap(Figgro, (figgro) =>
        figgro.jobRuns.page(1, {
          startDate: new Date("2026-11-01T00:00:00Z"),
          endDate: DateTime.unsafeMake("2026-11-30T18:00:00Z")
        })).pipe(withClient(handler))
      assert.deepStrictEqual(dates(sent[0]!.request), ["2026-11-01T00:00:00.000Z", "2026-11-30T18:00:00.000Z"])
    }))

  it.effect("take ISO strings, dates or date-times, sent as given", () =>
    Effect.gen(function*() {
      const { handler, sent } = server()
      yield* Effect.flatMap(Figgro, (figgro) =>
        figgro.jobRunTickets.page(1, { startDate: "2026-11-01", endDate: "2026-11-30T18:00:00Z" })).pipe(
          withClient(handler)
        )
      assert.deepStrictEqual(dates(sent[0]!.request), ["2026-11-01", "2026-11-30T18:00:00Z"])
    }))

  it.effect("go with every page of a walk", () =>
    Effect.gen(function*() {
      const { handler, sent } = server(3)
      yield* Effect.flatMap(Figgro, (figgro) =>
        Stream.runDrain(figgro.productJobRunTickets.pages({ startDate: "2026-11-01", endDate: "2026-11-02" }))).pipe(
          withClient(handler)
        )
      assert.deepStrictEqual(sent.map((s) => [pageOf(s.request), ...dates(s.request)]), [
        [1, "2026-11-01", "2026-11-02"],
        [2, "2026-11-01", "2026-11-02"],
        [3, "2026-11-01", "2026-11-02"]
      ])
    }))

  it.effect("are sent to job endpoints only", () =>
    Effect.gen(function*() {
      const { handler, sent } = server()
      yield* Effect.flatMap(Figgro, (figgro) =>
        figgro.resource(Endpoints.products).page(1, { startDate: "2026-11-01", endDate: "2026-11-30" })).pipe(
          withClient(handler)
        )
      assert.deepStrictEqual(dates(sent[0]!.request), [null, null])
    }))

  it.effect("a date-only end covers its whole day", () =>
    Effect.gen(function*() {
      const { handler, sent } = server()
      yield* Effect.flatMap(Figgro, (figgro) =>
        figgro.jobRuns.page(1, { startDate: "2026-11-01T12:00:00Z", endDate: "2026-11-01" })).pipe(
          withClient(handler)
        )
      assert.strictEqual(sent.length, 1)
    }))

  const invalid = [
    ["not a date", { startDate: "last tuesday" }, "startDate \"last tuesday\" is not an ISO 8601 date"],
    ["a date without leading zeros", { endDate: "2026-11-1" }, "endDate \"2026-11-1\" is not an ISO 8601 date"],
    ["an invalid Date", { startDate: new Date("nope") }, "startDate is an invalid Date"],
    ["a start after the end", { startDate: "2026-11-02", endDate: "2026-11-01T23:59:59Z" }, "is after endDate"]
  ] as const

  for (const [name, filters, message] of invalid) {
    it.effect(`${name} fails with BadRequest before any request is sent`, () =>
      Effect.gen(function*() {
        const { handler, sent } = server()
        const fromPage = yield* Effect.flatMap(Figgro, (figgro) => figgro.jobRuns.page(1, filters)).pipe(
          Effect.flip,
          withClient(handler)
        )
        const fromStream = yield* Effect.flatMap(Figgro, (figgro) => Stream.runDrain(figgro.jobRuns.stream(filters))).pipe(
          Effect.flip,
          withClient(handler)
        )
        for (const error of [fromPage, fromStream]) {
          assert(error._tag === "BadRequest")
          assert.strictEqual(error.status, 400)
          assert.strictEqual(error.endpoint, "/api/v1/Manufacturing/getjobruns")
          assert.include(error.message, message)
          assert.include(error.message, "no request was sent")
        }
        assert.strictEqual(sent.length, 0)
      }))
  }
})
