/**
 * `pnpm bench`: the four measurements in one run, the table on stdout,
 * `bench/results/latest.json`, and the table in BENCHMARKS.md.
 *
 * `pnpm bench latency cpu` runs only those (printed, nothing written).
 */
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import * as Cpu from "./cpu.js"
import * as Latency from "./latency.js"
import * as Memory from "./memory.js"
import * as RateWindow from "./rateWindow.js"
import { replaceBlock, resultsBlock, type Results, sharedBudgetBlock, table } from "./report.js"

const benchDir = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "..")
const resultsDir = NodePath.join(benchDir, "results")
const benchmarksMd = NodePath.join(benchDir, "..", "BENCHMARKS.md")

const sections = ["latency", "rateWindow", "cpu", "memory"] as const
type Section = (typeof sections)[number]
const asked = process.argv.slice(2).filter((arg) => arg !== "--")
const unknown = asked.filter((arg) => !(sections as ReadonlyArray<string>).includes(arg))
if (unknown.length > 0) {
  process.stderr.write(`Unknown section ${unknown.join(", ")}; choose from ${sections.join(", ")}.\n`)
  process.exit(2)
}
const chosen: ReadonlyArray<Section> = asked.length === 0 ? sections : (asked as Array<Section>)

const log = (text: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`)

const timed = async <A>(name: string, run: () => Promise<A>): Promise<A> => {
  log(`${name}…`)
  const start = performance.now()
  const result = await run()
  log(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s ${JSON.stringify(result)}`)
  return result
}

const partial: Partial<Results> = {}
const started = performance.now()
for (const section of chosen) {
  switch (section) {
    case "latency":
      Object.assign(partial, { latency: await timed(section, () => Effect.runPromise(Latency.measure())) })
      break
    case "rateWindow":
      Object.assign(partial, { rateWindow: await timed(section, () => Effect.runPromise(RateWindow.measure())) })
      break
    case "cpu":
      Object.assign(partial, { cpu: await timed(section, () => Effect.runPromise(Cpu.measure())) })
      break
    case "memory":
      Object.assign(partial, { memory: await timed(section, () => Memory.measure()) })
      break
  }
}
log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)

if (chosen.length < sections.length) {
  process.stdout.write(`${JSON.stringify(partial, null, 2)}\n`)
} else {
  const results: Results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: NodeOs.cpus().length,
    ...(partial as Pick<Results, Section>)
  }
  NodeFs.mkdirSync(resultsDir, { recursive: true })
  NodeFs.writeFileSync(NodePath.join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`)
  const sharedFile = NodePath.join(resultsDir, "shared-budget.json")
  const shared = NodeFs.existsSync(sharedFile) ? NodeFs.readFileSync(sharedFile, "utf8") : undefined
  if (NodeFs.existsSync(benchmarksMd)) {
    let document = NodeFs.readFileSync(benchmarksMd, "utf8")
    document = replaceBlock(document, "bench:results", resultsBlock(results))
    document = replaceBlock(document, "bench:shared", sharedBudgetBlock(shared))
    NodeFs.writeFileSync(benchmarksMd, document)
  }
  process.stdout.write(`${table(results)}\n`)
}
