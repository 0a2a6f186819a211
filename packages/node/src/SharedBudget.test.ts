/**
 * One key, many processes: the Redis-backed budget shared by separate worker
 * processes (`testing/budgetWorker.ts`, run with tsx), against a real
 * `redis-server` (started per test on a free port) and the simulator served
 * over HTTP from this process.
 *
 * Real time, deliberately and unavoidably: the workers are other processes
 * and the budget reads the Redis server's TIME, and no TestClock reaches
 * either. The windows are scaled down instead (50 requests / 5 s, or
 * 20 / 2 s), so the whole file takes about a minute, most of it the
 * 3-window run and the start-up of the Node + tsx processes.
 *
 * Timing margin: the budget counts a request when Redis grants it, the
 * simulator when it arrives, a few milliseconds later over loopback. A
 * request that waited longer between grant and arrival than the one that
 * takes its slot a window later could arrive while the server still counts
 * the first: the 3-window test would then see 429s at window edges. It
 * asserts there are none and prints the figures; nothing here sleeps to
 * hide such a gap.
 */
import { assert, describe, it } from "@effect/vitest"
import { Checkpoint } from "@figgro/core"
import { Faults, Simulator } from "@figgro/core/testing"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Redis } from "ioredis"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as CheckpointFile from "./CheckpointFile.js"
import * as SimulatorServer from "./SimulatorServer.js"
import * as NdjsonSink from "./sinks/NdjsonSink.js"
import type { WorkerConfig } from "./testing/budgetWorkerProtocol.js"
import * as BudgetWorkers from "./testing/budgetWorkers.js"
import * as RedisServer from "./testing/redisServer.js"
import * as Scenario from "./testing/sharedBudgetScenario.js"

const limit = 50
const windowMillis = 5_000

const tempDir = Effect.acquireRelease(
  Effect.sync(() => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "figgro-shared-budget-"))),
  (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
)

/** Polls `condition` every 20 ms until it holds, failing after `timeout`. */
const eventually = <E, R>(condition: Effect.Effect<boolean, E, R>, timeout: Duration.DurationInput, what: string) =>
  Effect.gen(function*() {
    while (!(yield* condition)) yield* Effect.sleep(Duration.millis(20))
  }).pipe(Effect.timeoutFail({ duration: timeout, onTimeout: () => new Error(`timed out waiting until ${what}`) }))

const readLines = (path: string, bytes?: number): Array<Record<string, unknown>> => {
  const buffer = NodeFs.readFileSync(path)
  return buffer.subarray(0, bytes ?? buffer.length).toString("utf8").split("\n").filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe("shared budget across processes (real redis-server, simulator over HTTP)", () => {
  it.scopedLive("4 processes on one key for 3 windows: no 429, never over the limit, ≥ 90% of the budget used", () =>
    Effect.gen(function*() {
      const result = yield* Scenario.run({ processes: 4, limit, windowMillis, runMillis: 3 * windowMillis })
      console.log(`[SharedBudget] ${Scenario.describe(result)}`)
      assert.strictEqual(result.responses429, 0, "429s from the simulator's rate limit")
      assert.isAtMost(result.maxInAnyWindow, limit)
      // Every arrival, whatever its answer: what the processes together sent.
      assert.isAtMost(result.maxArrivedInAnyWindow, limit)
      assert.isAtLeast(result.budgetUsedPercent, 90)
      for (const exit of result.exits) {
        assert.strictEqual(exit.code, 0, exit.stderr)
        assert.strictEqual(exit.done?._tag, "Done")
        assert.isAbove(result.perWorker[exit.id] ?? 0, 0, `worker ${exit.id} sent nothing`)
      }
    }), 120_000)

  it.scopedLive("a 429 seen by one process pauses all of them for its Retry-After", () =>
    Effect.gen(function*() {
      // Longer than the window on purpose: the injected 429 also says
      // X-RateLimit-Remaining 0, which by itself closes the shared gate until
      // the window's reset (≤ 6 s here). Only the Retry-After, shared through
      // the gate by the process that received it, can hold the others longer.
      // (Whole seconds: the simulator sends Retry-After in seconds.)
      const retryAfterMillis = 7_000
      const result = yield* Scenario.run({
        processes: 4,
        limit,
        windowMillis,
        runMillis: 9_500,
        // Request 30 falls in the first burst, while every worker is sending.
        faults: [Faults.make(Faults.rateLimited(Duration.millis(retryAfterMillis)), Faults.onRequest(30))]
      })
      const injected = result.log.filter((entry) => entry.faults.includes("RateLimited"))
      assert.strictEqual(injected.length, 1)
      const at = injected[0]!.time
      const hit = result.workerOf.get(injected[0]!.requestId)
      // The gate closes when the process that got the 429 tells Redis, a few
      // ms after the simulator sent it: requests granted before that moment
      // (each worker reads one page at a time, but may finish one and be
      // granted the next meanwhile) still arrive, within moments. Nothing
      // else may arrive during the Retry-After.
      const inFlightMillis = 250
      const during = result.log.filter((entry) => entry.time > at && entry.time < at + retryAfterMillis)
      const next = result.log.find((entry) => entry.time >= at + inFlightMillis)
      console.log(
        `[SharedBudget] injected 429 (Retry-After ${retryAfterMillis} ms) on request ${injected[0]!.n} from ${hit} at +${
          at - result.goAt
        } ms: ${during.length} in-flight request(s) arrived within ${
          Math.max(0, ...during.map((e) => e.time - at))
        } ms after it, next request ${next === undefined ? "never" : `${next.time - at} ms after it`}; ${
          Scenario.describe(result)
        }`
      )
      assert.isDefined(hit)
      for (const entry of during) {
        assert.isBelow(entry.time - at, inFlightMillis, `request ${entry.n} arrived during the gate`)
        assert.notStrictEqual(result.workerOf.get(entry.requestId), hit)
      }
      // The walk went on after the gate, the rate-limited page included.
      assert.isDefined(next)
      assert.isAtLeast(next!.time - at, retryAfterMillis)
      assert.isTrue(result.log.some((e) => e.time > at && result.workerOf.get(e.requestId) === hit && e.status === 200))
      assert.strictEqual(result.responses429, 0)
      assert.isAtMost(result.maxArrivedInAnyWindow, limit)
    }), 120_000)

  /** A Redis with a password, the simulator at 20 requests / 2 s with 40 pages of products, an export worker's config. */
  const exportSetup = (onUnavailable: WorkerConfig["onUnavailable"]) =>
    Effect.gen(function*() {
      const password = "s3cret-budget-pw"
      const redis = yield* RedisServer.start
      yield* Effect.acquireUseRelease(
        Effect.sync(() => new Redis(redis.url)),
        (client) => Effect.promise(() => client.config("SET", "requirepass", password)),
        (client) => Effect.sync(() => client.disconnect())
      )
      const small = { limit: 20, windowMillis: 2_000 }
      const sim = yield* Simulator.make({
        keys: [Scenario.apiKey],
        limit: small.limit,
        window: Duration.millis(small.windowMillis),
        counts: { products: 1_000 } // 40 pages: two windows and more
      })
      const server = yield* SimulatorServer.serve(sim.handleRaw)
      const dir = yield* tempDir
      const config: WorkerConfig = {
        id: "exporter",
        mode: "export",
        baseUrl: server.url,
        apiKey: Scenario.apiKey,
        redisUrl: `redis://:${password}@127.0.0.1:${redis.port}`,
        onUnavailable,
        ...small,
        outDir: dir
      }
      const truth = Chunk.toReadonlyArray(yield* Stream.runCollect(sim.groundTruth("products"))).map((r) => r["id"])
      return {
        redis,
        password,
        masked: `redis://:***@127.0.0.1:${redis.port}`,
        sim,
        dir,
        output: NdjsonSink.pathOf(dir, "products"),
        config,
        truth
      }
    })

  it.scopedLive(
    "Redis stopped mid-export, mode fail: the worker exits with a BudgetError naming the URL (password masked); the checkpoint holds and a resume completes",
    () =>
      Effect.gen(function*() {
        const { config, dir, masked, output, password, redis, sim, truth } = yield* exportSetup("fail")
        const first = yield* BudgetWorkers.spawn(config)
        yield* first.ready
        yield* eventually(Effect.map(sim.log, (log) => log.length >= 10), "30 seconds", "10 requests arrived")
        yield* redis.stop
        const failed = yield* first.exit
        const sentBefore = (yield* sim.log).length
        console.log(`[SharedBudget] after ${sentBefore} requests, Redis stopped; worker said: ${failed.failed?.message}`)
        assert.strictEqual(failed.code, 1)
        assert.strictEqual(failed.failed?.tag, "BudgetError")
        const message = failed.failed!.message
        assert.include(message, masked)
        assert.include(message, "unavailable")
        assert.include(message, "onUnavailable")
        // ioredis' own wording names its options, which the user cannot set here.
        assert.notInclude(message, "enableOfflineQueue")
        assert.notInclude(message, "maxRetriesPerRequest")
        assert.include(failed.stderr, masked)
        assert.notInclude(failed.stderr + failed.stdout + message, password)

        // The checkpoint survived, decodes, and the output matches it.
        const text = NodeFs.readFileSync(CheckpointFile.pathOf(dir, "products"), "utf8")
        const checkpoint = yield* Checkpoint.decode(text, { resource: "products" })
        assert.strictEqual(checkpoint.phase, "walk")
        assert.isAtLeast(checkpoint.nextPage, 2)
        const written = (checkpoint.nextPage - 1) * 25
        assert.strictEqual(checkpoint.stats.records, written)
        const bytes = (checkpoint.outputPosition as { readonly bytes: number }).bytes
        assert.isAtLeast(NodeFs.statSync(output).size, bytes)
        assert.deepStrictEqual(readLines(output, bytes).map((record) => record["id"]), truth.slice(0, written))

        // Redis back (a new server): the resume picks up at the checkpoint and completes.
        const again = yield* RedisServer.start
        const second = yield* BudgetWorkers.spawn({ ...config, redisUrl: again.url, resume: true })
        const resumed = yield* second.exit
        assert.strictEqual(resumed.code, 0, resumed.stderr)
        assert.strictEqual(resumed.done?.status, "completed")
        assert.strictEqual(resumed.done?.resumed, true)
        assert.deepStrictEqual(readLines(output).map((record) => record["id"]), truth)
        const final = yield* Checkpoint.decode(NodeFs.readFileSync(CheckpointFile.pathOf(dir, "products"), "utf8"), {
          resource: "products"
        })
        assert.strictEqual(final.phase, "complete")
        // The resume started at the checkpoint's page, not at page 1.
        const pages = (yield* sim.log).slice(sentBefore).map((entry) => entry.page)
        assert.strictEqual(pages[0], checkpoint.nextPage)
        assert.strictEqual((yield* sim.stats).rateLimited, 0)
      }),
    90_000
  )

  it.scopedLive(
    "Redis stopped mid-export, mode local: the worker warns (URL masked), carries on with its own budget and completes",
    () =>
      Effect.gen(function*() {
        const { config, masked, output, password, redis, sim, truth } = yield* exportSetup("local")
        const worker = yield* BudgetWorkers.spawn(config)
        yield* worker.ready
        yield* eventually(Effect.map(sim.log, (log) => log.length >= 10), "30 seconds", "10 requests arrived")
        yield* redis.stop
        const exit = yield* worker.exit
        const printed = exit.stdout + exit.stderr
        const warning = printed.split("\n").find((line) => line.includes("unavailable")) ?? ""
        console.log(`[SharedBudget] mode local, Redis stopped after 10 requests; worker warned: ${warning}`)
        assert.strictEqual(exit.code, 0, exit.stderr)
        assert.strictEqual(exit.done?.status, "completed")
        assert.include(warning, masked)
        assert.include(warning, "for this process only")
        assert.notInclude(printed, password)
        assert.deepStrictEqual(readLines(output).map((record) => record["id"]), truth)
        // Alone on the key, the fallback seeded with Redis' last view still keeps to the limit.
        assert.strictEqual((yield* sim.stats).rateLimited, 0)
        assert.isAtMost(yield* sim.maxInAnyWindow(Scenario.apiKey), config.limit)
      }),
    90_000
  )
})
