/**
 * The results as a table (the same Markdown in the terminal and in
 * BENCHMARKS.md), each figure beside its target.
 */
import type { CpuResult } from "./cpu.js"
import type { LatencyResult } from "./latency.js"
import type { MemoryResult } from "./memory.js"
import type { RateWindowResult } from "./rateWindow.js"

export interface Results {
  readonly date: string
  readonly node: string
  readonly cpus: number
  readonly latency: LatencyResult
  readonly rateWindow: RateWindowResult
  readonly cpu: CpuResult
  readonly memory: MemoryResult
}

const x = (ratio: number) => `${ratio.toFixed(2)}×`
const s = (seconds: number) => `${seconds.toFixed(2)} s`
const n = (value: number) => Math.round(value).toLocaleString("en-US")
const mb = (value: number | undefined) => (value === undefined ? "?" : `${value.toFixed(0)} MB`)
const met = (ok: boolean) => (ok ? "met" : "**missed**")

/** One row per figure: what, ours, the comparison, the target, met or missed. */
export const rows = (r: Results): ReadonlyArray<ReadonlyArray<string>> => {
  const out: Array<ReadonlyArray<string>> = []
  const { cpu, latency, memory, rateWindow } = r
  out.push([
    `Latency: naive loop, ${latency.pages} pages × ${latency.latencyMs} ms`,
    s(latency.naiveSeconds),
    `ideal ${s(latency.naiveIdealSeconds)}`,
    "—",
    ""
  ])
  for (const run of latency.runs) {
    const ideal = latency.idealSeconds[String(run.concurrency)] ?? 0
    const vsIdeal = run.seconds / ideal
    const speedup = latency.naiveSeconds / run.seconds
    const targeted = run.concurrency === 8
    out.push([
      `Latency: read-ahead ${run.concurrency}`,
      s(run.seconds),
      `${x(vsIdeal)} ideal (${s(ideal)}); ${x(speedup)} faster than naive`,
      targeted ? "≤ 1.25× ideal, ≥ 6× faster" : "—",
      targeted ? met(vsIdeal <= 1.25 && speedup >= 6) : ""
    ])
  }
  const vsMinimum = rateWindow.seconds / rateWindow.minimumSeconds
  out.push([
    `Rate window: ${rateWindow.pages} pages at ${rateWindow.limit} per ${rateWindow.windowSeconds} s`,
    `${s(rateWindow.seconds)}, ${rateWindow.requests} requests, ${rateWindow.responses429} × 429`,
    `${x(vsMinimum)} minimum (${s(rateWindow.minimumSeconds)})`,
    "0 × 429, requests = pages, ≤ 1.05× minimum",
    met(rateWindow.responses429 === 0 && rateWindow.requests === rateWindow.pages && vsMinimum <= 1.05)
  ])
  out.push([
    "Rate window: naive loop, waits Retry-After",
    `${s(rateWindow.naiveSeconds)}, ${rateWindow.naiveRequests} requests, ${rateWindow.naiveResponses429} × 429`,
    `${x(rateWindow.naiveSeconds / rateWindow.minimumSeconds)} minimum`,
    "—",
    ""
  ])
  const vsParse = cpu.jsonParseOnlyRecordsPerSecond / cpu.recordsPerSecond
  out.push([
    `CPU: ${n(cpu.records)} products decoded and streamed`,
    `${n(cpu.recordsPerSecond)} records/s`,
    `JSON.parse alone ${n(cpu.jsonParseOnlyRecordsPerSecond)}/s (${x(vsParse)}); in-memory HttpClient alone ${
      n(cpu.transportOnlyRecordsPerSecond)
    }/s`,
    "≥ 150,000/s, ≤ 4× JSON.parse",
    met(cpu.recordsPerSecond >= 150_000 && vsParse <= 4)
  ])
  const flat = memory.peakRssMb / memory.peakRssMbAt100k
  out.push([
    `Memory: export of ${n(memory.records)} records to NDJSON`,
    `${memory.peakRssMb.toFixed(0)} MB peak RSS (${s(memory.seconds)})`,
    `${memory.peakRssMbAt100k.toFixed(0)} MB at ${n(memory.records100k)} (${x(flat)}); idle ${
      memory.baselineRssMb.toFixed(0)
    } MB; live heap at the end ${mb(memory.heapAfterGcMb)} (${mb(memory.heapAfterGcMbAt100k)} at ${n(memory.records100k)})`,
    "≤ 150 MB, ≤ 1.3× the 100k figure",
    met(memory.peakRssMb <= 150 && flat <= 1.3)
  ])
  return out
}

/** The Markdown table. */
export const table = (r: Results): string => {
  const header = ["Measure", "Ours", "Compared with", "Target", ""]
  const lines = [header, header.map(() => "---"), ...rows(r)]
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n")
}

/** The block BENCHMARKS.md shows: when and where, then the table. */
export const resultsBlock = (r: Results): string =>
  [
    `Measured ${r.date} on Node ${r.node}, ${r.cpus} CPUs (\`bench/results/latest.json\`).`,
    "",
    table(r)
  ].join("\n")

/** The shared-budget section: the file's content as it is, or where it will come from. */
export const sharedBudgetBlock = (content: string | undefined): string =>
  content === undefined ?
    "Not measured yet: this section is produced by `pnpm bench:shared` (a multi-process run against one Redis budget), which writes `bench/results/shared-budget.json`." :
    ["From `bench/results/shared-budget.json` (written by `pnpm bench:shared`):", "", "```json", content.trim(), "```"].join(
      "\n"
    )

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export const replaceBlock = (document: string, name: string, content: string): string => {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = document.indexOf(start)
  const to = document.indexOf(end)
  if (from < 0 || to < from) return document
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`
}
