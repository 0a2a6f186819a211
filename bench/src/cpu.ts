/**
 * CPU: decoding and streaming in process, no sockets. The simulator's
 * record generation is slower than the client (about 110,000 records/s), so
 * the bodies are generated once and served from memory by `MockHttp`; the
 * client decodes and streams them, and `JSON.parse` alone walks the same
 * bodies. `transportOnly` is the in-memory HttpClient by itself (the
 * @effect/platform client, a web `Response`, reading the body): the floor
 * under any client built on `HttpClient`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Figgro, FiggroConfig } from "@figgro/core"
import { MockHttp, Simulator } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { apiKey, pageSize, productsPath, secondsSince } from "./common.js"

export interface CpuOptions {
  readonly records: number
  /** Each figure is the best of this many passes. */
  readonly repeats: number
}

export interface CpuResult {
  readonly records: number
  readonly recordsPerSecond: number
  readonly jsonParseOnlyRecordsPerSecond: number
  readonly transportOnlyRecordsPerSecond: number
  readonly simulatorRecordsPerSecond: number
  readonly bodyBytes: number
  readonly repeats: number
}

export const defaults: CpuOptions = { records: 200_000, repeats: 3 }

interface Captured {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const capture = (pages: number) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.make({ counts: { products: pages * pageSize }, limit: 1_000_000_000 })
    const bodies: Array<Captured> = []
    for (let page = 1; page <= pages; page++) {
      const outcome = yield* simulator.handleRaw({
        method: "GET",
        path: productsPath,
        query: new URLSearchParams({ page: String(page) }),
        headers: { "x-api-key": apiKey }
      })
      if (outcome._tag !== "Response" || outcome.status !== 200) return yield* Effect.die(`page ${page}: ${outcome._tag}`)
      bodies.push({ headers: outcome.headers, body: outcome.body })
    }
    return bodies
  })

export const measure = (options: CpuOptions = defaults): Effect.Effect<CpuResult> =>
  Effect.gen(function*() {
    const pages = Math.ceil(options.records / pageSize)
    const records = pages * pageSize
    const generating = performance.now()
    const bodies = yield* capture(pages)
    const simulatorSeconds = secondsSince(generating)

    const http = MockHttp.layer((request) =>
      Effect.suspend(() => {
        const captured = bodies[Number(request.query.get("page")) - 1]
        return Effect.succeed(captured === undefined ? { status: 404 } : { status: 200, ...captured })
      })
    )
    const client = Figgro.layer.pipe(
      Layer.provide(FiggroConfig.layer({ apiKey, baseUrl: "http://localhost", budget: { limit: 1_000_000_000 } })),
      Layer.provide(http),
      Layer.orDie
    )

    const best = (seconds: ReadonlyArray<number>) => Math.min(...seconds)
    const clientSeconds: Array<number> = []
    const parseSeconds: Array<number> = []
    const transportSeconds: Array<number> = []
    for (let pass = 0; pass < options.repeats; pass++) {
      // The client: decode and stream every record.
      const count = yield* Effect.gen(function*() {
        const figgro = yield* Figgro
        const start = performance.now()
        const count = yield* Stream.runCount(figgro.products.stream({ concurrency: 1 }))
        clientSeconds.push(secondsSince(start))
        return count
      }).pipe(Effect.provide(client), Effect.orDie)
      if (count !== records) return yield* Effect.die(`the client streamed ${count} of ${records} records`)

      // JSON.parse alone, on the same bodies.
      let parsed = 0
      const start = performance.now()
      for (const { body } of bodies) parsed += (JSON.parse(body) as { readonly data: ReadonlyArray<unknown> }).data.length
      parseSeconds.push(secondsSince(start))
      if (parsed !== records) return yield* Effect.die(`JSON.parse saw ${parsed} of ${records} records`)

      // The transport alone: GET and read every body, no decoding.
      yield* Effect.gen(function*() {
        const httpClient = yield* HttpClient.HttpClient
        const start = performance.now()
        for (let page = 1; page <= pages; page++) {
          const response = yield* httpClient.get(`http://localhost${productsPath}`, { urlParams: { page: String(page) } })
          yield* response.text
        }
        transportSeconds.push(secondsSince(start))
      }).pipe(Effect.provide(http), Effect.orDie)
    }

    return {
      records,
      recordsPerSecond: Math.round(records / best(clientSeconds)),
      jsonParseOnlyRecordsPerSecond: Math.round(records / best(parseSeconds)),
      transportOnlyRecordsPerSecond: Math.round(records / best(transportSeconds)),
      simulatorRecordsPerSecond: Math.round(records / simulatorSeconds),
      bodyBytes: bodies.reduce((sum, { body }) => sum + body.length, 0),
      repeats: options.repeats
    }
  })
