/**
 * Latency hiding: the simulator as a real HTTP server on loopback, every
 * request answered after `latencyMs`; the naive loop against our stream at
 * several read-ahead settings. Ideal = ceil(pages / concurrency) × latency.
 */
import { Figgro } from "@figgro/core"
import { Simulator } from "@figgro/core/testing"
import { FiggroNode } from "@figgro/node"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SimulatorServer from "@figgro/node/SimulatorServer"
import { apiKey, naiveExport, pageSize, round, secondsSince } from "./common.js"

export interface LatencyOptions {
  readonly pages: number
  readonly latencyMs: number
  readonly concurrencies: ReadonlyArray<number>
}

export interface LatencyResult {
  readonly pages: number
  readonly latencyMs: number
  readonly naiveSeconds: number
  readonly runs: ReadonlyArray<{ readonly concurrency: number; readonly seconds: number; readonly records: number }>
  readonly idealSeconds: Readonly<Record<string, number>>
  /** The naive loop's own ideal: one latency per page, one after the other. */
  readonly naiveIdealSeconds: number
}

export const defaults: LatencyOptions = { pages: 400, latencyMs: 100, concurrencies: [1, 4, 8] }

/** A client over the socket whose budget never binds. */
const clientLayer = (url: string) =>
  FiggroNode.layer({ apiKey, baseUrl: url, budget: { limit: 1_000_000 }, requestTimeout: Duration.minutes(5) })

const ours = (url: string, concurrency: number) =>
  Effect.gen(function*() {
    const figgro = yield* Figgro
    const start = performance.now()
    const records = yield* Stream.runCount(figgro.products.stream({ concurrency }))
    return { concurrency, seconds: secondsSince(start), records }
  }).pipe(Effect.provide(clientLayer(url)))

export const measure = (options: LatencyOptions = defaults): Effect.Effect<LatencyResult> =>
  Effect.scoped(
    Effect.gen(function*() {
      const simulator = yield* Simulator.make({
        latency: Duration.millis(options.latencyMs),
        counts: { products: options.pages * pageSize },
        limit: 1_000_000_000
      })
      const server = yield* SimulatorServer.serve(simulator.handleRaw)
      const expected = options.pages * pageSize

      const naive = yield* Effect.promise(() => naiveExport(server.url))
      if (naive.records !== expected) return yield* Effect.die(`naive loop read ${naive.records} of ${expected} records`)
      const runs: Array<LatencyResult["runs"][number]> = []
      for (const concurrency of options.concurrencies) {
        const run = yield* Effect.orDie(ours(server.url, concurrency))
        if (run.records !== expected) return yield* Effect.die(`read-ahead ${concurrency} read ${run.records} of ${expected}`)
        runs.push({ ...run, seconds: round(run.seconds) })
      }
      const ideal = (concurrency: number) => round((Math.ceil(options.pages / concurrency) * options.latencyMs) / 1000)
      return {
        pages: options.pages,
        latencyMs: options.latencyMs,
        naiveSeconds: round(naive.seconds),
        runs,
        idealSeconds: Object.fromEntries(options.concurrencies.map((c) => [String(c), ideal(c)])),
        naiveIdealSeconds: ideal(1)
      }
    })
  )
