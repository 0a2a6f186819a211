/**
 * The shared request budget across processes: 4 worker processes on one API
 * key, each walking pages with its own client and a Redis-backed budget,
 * against the simulator (over HTTP) with a scaled-down rolling window, for 3
 * windows. Writes `bench/results/shared-budget.json`.
 *
 *   pnpm -s tsx bench/shared-budget.ts [--processes 4] [--limit 50] [--window 5] [--windows 3]
 *
 * Needs `redis-server` on the PATH (or REDIS_SERVER_BIN). Runs on real time
 * (separate processes, Redis TIME), so it takes windows × window seconds plus
 * the start-up of the processes.
 */
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as Scenario from "@figgro/node/testing/sharedBudgetScenario"

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a positive number`)
  return value
}

const processes = argument("processes", 4)
const limit = argument("limit", 50)
const windowSeconds = argument("window", 5)
const windows = argument("windows", 3)

const result = await Effect.runPromise(
  Effect.scoped(
    Scenario.run({ processes, limit, windowMillis: windowSeconds * 1000, runMillis: windows * windowSeconds * 1000 })
  )
)

const report = {
  date: new Date().toISOString(),
  processes,
  limit,
  windowSeconds,
  windows,
  requests: result.requests,
  responses429: result.responses429,
  maxInAnyWindow: result.maxInAnyWindow,
  budgetUsedPercent: result.budgetUsedPercent
}
const file = fileURLToPath(new URL("./results/shared-budget.json", import.meta.url))
NodeFs.mkdirSync(NodePath.dirname(file), { recursive: true })
NodeFs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n")
console.log(Scenario.describe(result))
console.log(`wrote ${NodePath.relative(process.cwd(), file)}`)
