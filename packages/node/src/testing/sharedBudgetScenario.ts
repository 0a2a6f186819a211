/**
 * N processes, one API key, one Redis-backed budget, one rate-limited API:
 * the scenario of the shared-budget test and bench.
 *
 * The test process runs a throwaway `redis-server` and the simulator over
 * HTTP (limit and window scaled down); each worker process walks the product
 * pages with `Figgro.layerWithoutBudget` + `RedisBudget.layer` +
 * NodeHttpClient from the same moment (`goAt`) until `goAt + runMillis`.
 * The figures come from the simulator's log: what arrived, when, from which
 * worker (the `x-figgro-worker` header, matched by request id).
 *
 * This runs on real time, and cannot do otherwise: the workers are separate
 * processes and the budget reads the Redis server's TIME, neither of which a
 * TestClock reaches. Keep the window short (a few seconds).
 */
import type { Fault, LogEntry } from "@figgro/core/testing"
import { maxInAnyWindow, Simulator } from "@figgro/core/testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as SimulatorServer from "../SimulatorServer.js"
import * as BudgetWorkers from "./budgetWorkers.js"
import { workerHeader } from "./budgetWorkerProtocol.js"
import * as RedisServer from "./redisServer.js"

export interface ScenarioOptions {
  readonly processes: number
  readonly limit: number
  readonly windowMillis: number
  /** How long the workers walk, from the moment they are all told to go. */
  readonly runMillis: number
  /**
   * The budget margin of each worker. Default 250 ms: four processes and the
   * simulator share two loaded cores here, so a request granted by Redis can
   * reach the simulator's event loop a few hundred ms later — much more than
   * the default margin of a 5 s window (1 %, 50 ms). Against the real hour
   * the default is 1 s.
   */
  readonly marginMillis?: number
  readonly faults?: ReadonlyArray<Fault>
  /** Products in the simulator: enough pages that no worker reaches the end. Default 25,000 (1,000 pages). */
  readonly products?: number
}

export interface ScenarioResult {
  readonly options: ScenarioOptions
  /** When the workers were told to go, and to stop (epoch ms). */
  readonly goAt: number
  readonly until: number
  /** Every request the simulator received, in arrival order. */
  readonly log: ReadonlyArray<LogEntry>
  /** Worker of each request, by request id. */
  readonly workerOf: ReadonlyMap<string, string>
  readonly exits: ReadonlyArray<BudgetWorkers.WorkerExit & { readonly id: string }>
  /** Requests the simulator received. */
  readonly requests: number
  /** 429s from the simulator's own rate limit (injected ones not included). */
  readonly responses429: number
  /** Most requests counted in any rolling window (the simulator's view). */
  readonly maxInAnyWindow: number
  /** Most requests that ARRIVED in any rolling window, whatever their answer (≥ maxInAnyWindow). */
  readonly maxArrivedInAnyWindow: number
  /** Requests counted against the key in [goAt, until). */
  readonly accepted: number
  /** `accepted` / (limit × runMillis / window), in percent. */
  readonly budgetUsedPercent: number
  /** Requests received from each worker. */
  readonly perWorker: Readonly<Record<string, number>>
}

export const apiKey = "fgr_shared_budget_test_key"

export const run = (options: ScenarioOptions): Effect.Effect<ScenarioResult, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const { limit, processes, runMillis, windowMillis } = options
    const redis = yield* RedisServer.start
    const sim = yield* Simulator.make({
      keys: [apiKey],
      limit,
      window: Duration.millis(windowMillis),
      counts: { products: options.products ?? 25_000 },
      faults: options.faults ?? []
    })
    const workerOf = new Map<string, string>()
    const server = yield* SimulatorServer.serve((request) =>
      Effect.tap(sim.handleRaw(request), (outcome) => {
        const worker = request.headers[workerHeader]
        const requestId = outcome._tag === "Response" || outcome._tag === "Truncated"
          ? outcome.headers["X-Request-Id"]
          : undefined
        if (worker !== undefined && requestId !== undefined) workerOf.set(requestId, worker)
      })
    )
    const workers = yield* Effect.all(
      Array.from({ length: processes }, (_, i) =>
        BudgetWorkers.spawn({
          id: `w${i + 1}`,
          mode: "walk",
          baseUrl: server.url,
          apiKey,
          redisUrl: redis.url,
          onUnavailable: "fail",
          limit,
          windowMillis,
          marginMillis: options.marginMillis ?? 250
        })),
      { concurrency: "unbounded" }
    )
    yield* Effect.all(workers.map((worker) => worker.ready), { concurrency: "unbounded", discard: true })

    const goAt = Date.now()
    const until = goAt + runMillis
    yield* Effect.all(workers.map((worker) => worker.go(until)), { discard: true })
    const exits = yield* Effect.all(
      workers.map((worker) => Effect.map(worker.exit, (exit) => ({ ...exit, id: worker.id }))),
      { concurrency: "unbounded" }
    )
    for (const exit of exits) {
      if (exit.code !== 0) return yield* Effect.fail(new Error(`worker ${exit.id} exited with ${exit.code}:\n${exit.stderr}`))
    }

    const log = yield* sim.log
    const stats = yield* sim.stats
    const perWorker: Record<string, number> = {}
    for (const entry of log) {
      const worker = workerOf.get(entry.requestId) ?? "?"
      perWorker[worker] = (perWorker[worker] ?? 0) + 1
    }
    const accepted = log.filter((e) => e.counted && e.time >= goAt && e.time < until).length
    const windows = runMillis / windowMillis
    return {
      options,
      goAt,
      until,
      log,
      workerOf,
      exits,
      requests: stats.requests,
      responses429: stats.rateLimited,
      maxInAnyWindow: yield* sim.maxInAnyWindow(apiKey),
      maxArrivedInAnyWindow: maxInAnyWindow(log.map((e) => e.time), windowMillis),
      accepted,
      budgetUsedPercent: Math.round((1000 * accepted) / (limit * windows)) / 10,
      perWorker
    }
  })

/** One line for logs. */
export const describe = (result: ScenarioResult): string => {
  const { limit, processes, runMillis, windowMillis } = result.options
  const perWorker = Object.entries(result.perWorker).sort().map(([id, n]) => `${id} ${n}`).join(", ")
  return `${processes} processes, limit ${limit}/${windowMillis} ms, ${runMillis / windowMillis} windows: ` +
    `${result.requests} requests (${perWorker}), ${result.responses429} × 429, ` +
    `max ${result.maxInAnyWindow} counted / ${result.maxArrivedInAnyWindow} arrived in any window, ` +
    // A share of the budget means something over whole windows only.
    (runMillis % windowMillis === 0
      ? `${result.accepted} accepted = ${result.budgetUsedPercent}% of the budget`
      : `${result.accepted} accepted`)
}
