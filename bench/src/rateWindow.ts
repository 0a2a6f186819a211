/**
 * The rate window: a simulator with a scaled-down rolling window (e.g. 100
 * requests per 5 s) and an export that needs 2.5 windows of pages. Our
 * client, its budget set to the same limit and window, against the naive
 * loop that waits `Retry-After` after each 429. Each gets a fresh simulator
 * (its own empty window).
 *
 * The minimum is what the rolling window allows: with P pages and L per
 * window W, the last floor((P - 1) / L) × L requests cannot start before
 * floor((P - 1) / L) × W, so the earliest finish is that plus the time the
 * last P - floor((P - 1) / L) × L pages take unhindered (measured here, on an
 * unlimited simulator, with the same client and read-ahead).
 */
import { Figgro } from "@figgro/core"
import { Simulator, type SimulatorOptions } from "@figgro/core/testing"
import { FiggroNode } from "@figgro/node"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SimulatorServer from "@figgro/node/SimulatorServer"
import { apiKey, naiveExport, pageSize, round, secondsSince } from "./common.js"

export interface RateWindowOptions {
  readonly pages: number
  readonly limit: number
  readonly windowSeconds: number
  /** Latency of every simulated request. */
  readonly latencyMs: number
  /** Our client's read-ahead. */
  readonly concurrency: number
}

export interface RateWindowResult {
  readonly pages: number
  readonly limit: number
  readonly windowSeconds: number
  readonly latencyMs: number
  readonly concurrency: number
  readonly seconds: number
  readonly minimumSeconds: number
  /** Time of the last (partial) window's pages with no limit: the part of the minimum that is not waiting. */
  readonly lastBatchSeconds: number
  readonly requests: number
  readonly responses429: number
  /** The most requests the server counted in any rolling window (≤ limit when the client keeps to it). */
  readonly maxInAnyWindow: number
  readonly naiveSeconds: number
  readonly naiveRequests: number
  readonly naiveResponses429: number
}

export const defaults: RateWindowOptions = { pages: 250, limit: 100, windowSeconds: 5, latencyMs: 0, concurrency: 1 }

/** A simulator served on loopback for the scope; `onServer` runs against it. */
const withServer = <A>(options: SimulatorOptions, onServer: (url: string, simulator: Simulator["Type"]) => Effect.Effect<A>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const simulator = yield* Simulator.make(options)
      const server = yield* SimulatorServer.serve(simulator.handleRaw)
      return yield* onServer(server.url, simulator)
    })
  )

const ours = (url: string, budget: { readonly limit: number; readonly window?: Duration.DurationInput }, concurrency: number) =>
  Effect.gen(function*() {
    const figgro = yield* Figgro
    const start = performance.now()
    const records = yield* Stream.runCount(figgro.products.stream({ concurrency }))
    return { records, seconds: secondsSince(start) }
  }).pipe(Effect.provide(FiggroNode.layer({ apiKey, baseUrl: url, budget })), Effect.orDie)

export const measure = (options: RateWindowOptions = defaults): Effect.Effect<RateWindowResult> =>
  Effect.gen(function*() {
    const window = Duration.seconds(options.windowSeconds)
    const latency = options.latencyMs > 0 ? { latency: Duration.millis(options.latencyMs) } : {}
    const expected = options.pages * pageSize
    const fullWindows = Math.floor((options.pages - 1) / options.limit)
    const lastBatch = options.pages - fullWindows * options.limit

    // The unhindered time of the last batch of pages (best of two: the first warms up).
    const unhindered = withServer(
      { ...latency, counts: { products: lastBatch * pageSize }, limit: 1_000_000_000 },
      (url) => Effect.map(ours(url, { limit: 1_000_000 }, options.concurrency), (run) => run.seconds)
    )
    const lastBatchSeconds = Math.min(yield* unhindered, yield* unhindered)

    const rated: SimulatorOptions = { ...latency, counts: { products: expected }, limit: options.limit, window }
    const client = yield* withServer(rated, (url, simulator) =>
      Effect.gen(function*() {
        const run = yield* ours(url, { limit: options.limit, window }, options.concurrency)
        if (run.records !== expected) return yield* Effect.die(`our client read ${run.records} of ${expected} records`)
        const stats = yield* simulator.stats
        return { ...run, stats, maxInAnyWindow: yield* simulator.maxInAnyWindow(apiKey) }
      }))
    const naive = yield* withServer(rated, (url, simulator) =>
      Effect.gen(function*() {
        const run = yield* Effect.promise(() => naiveExport(url, { retry429: true }))
        if (run.records !== expected) return yield* Effect.die(`naive loop read ${run.records} of ${expected} records`)
        return { ...run, stats: yield* simulator.stats }
      }))

    return {
      pages: options.pages,
      limit: options.limit,
      windowSeconds: options.windowSeconds,
      latencyMs: options.latencyMs,
      concurrency: options.concurrency,
      seconds: round(client.seconds),
      minimumSeconds: round(fullWindows * options.windowSeconds + lastBatchSeconds),
      lastBatchSeconds: round(lastBatchSeconds),
      requests: client.stats.requests,
      responses429: client.stats.rateLimited,
      maxInAnyWindow: client.maxInAnyWindow,
      naiveSeconds: round(naive.seconds),
      naiveRequests: naive.stats.requests,
      naiveResponses429: naive.stats.rateLimited
    }
  })
