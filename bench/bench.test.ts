/**
 * Smoke test of the benchmarks: each measurement at a tiny size, checking
 * the shape of its result (the figures themselves come from `pnpm bench`).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Cpu from "./src/cpu.js"
import * as Latency from "./src/latency.js"
import * as Memory from "./src/memory.js"
import * as RateWindow from "./src/rateWindow.js"
import { type Results, table } from "./src/report.js"

const positive = (value: unknown) => {
  expect(typeof value).toBe("number")
  expect(value as number).toBeGreaterThan(0)
}

describe("benchmarks (tiny sizes)", () => {
  const results: { -readonly [K in "latency" | "rateWindow" | "cpu" | "memory"]?: Results[K] } = {}

  it.live("latency: naive loop and read-ahead runs over a socket", () =>
    Effect.gen(function*() {
      const result = yield* Latency.measure({ pages: 8, latencyMs: 5, concurrencies: [1, 4] })
      expect(result.pages).toBe(8)
      expect(result.runs.map((run) => run.concurrency)).toEqual([1, 4])
      for (const run of result.runs) {
        positive(run.seconds)
        expect(run.records).toBe(8 * 25)
      }
      positive(result.naiveSeconds)
      expect(result.idealSeconds).toEqual({ "1": 0.04, "4": 0.01 })
      results.latency = result
    }))

  it.live("rate window: our client keeps to the window, the naive loop meets 429s", () =>
    Effect.gen(function*() {
      const result = yield* RateWindow.measure({ pages: 8, limit: 5, windowSeconds: 1, latencyMs: 0, concurrency: 1 })
      expect(result.requests).toBe(8)
      expect(result.responses429).toBe(0)
      expect(result.maxInAnyWindow).toBeLessThanOrEqual(5)
      expect(result.naiveResponses429).toBeGreaterThan(0)
      expect(result.naiveRequests).toBe(8 + result.naiveResponses429)
      expect(result.seconds).toBeGreaterThanOrEqual(1)
      positive(result.minimumSeconds)
      results.rateWindow = result
    }), 30_000)

  it.live("cpu: records per second beside JSON.parse", () =>
    Effect.gen(function*() {
      const result = yield* Cpu.measure({ records: 250, repeats: 1 })
      expect(result.records).toBe(250)
      positive(result.recordsPerSecond)
      positive(result.jsonParseOnlyRecordsPerSecond)
      positive(result.transportOnlyRecordsPerSecond)
      results.cpu = result
    }))

  it("memory: peak RSS of child processes", async () => {
    const result = await Memory.measure({ records: 1_000, recordsSmall: 250 })
    expect(result.records).toBe(1_000)
    expect(result.records100k).toBe(250)
    positive(result.peakRssMb)
    positive(result.peakRssMbAt100k)
    positive(result.baselineRssMb)
    positive(result.heapAfterGcMb)
    results.memory = result
  }, 60_000)

  it("report: renders every figure", () => {
    const text = table({ ...(results as Required<typeof results>), date: "2026-01-01T00:00:00.000Z", node: "v20", cpus: 2 })
    expect(text.split("\n").length).toBe(2 + 1 + 2 + 2 + 1 + 1)
  })
})
