/**
 * One memory measurement, alone in its process: exports `records` products
 * from the in-memory simulator (limit and budget raised so nothing waits) to
 * NDJSON in a temporary folder — the export engine of `figgro export`:
 * a checkpoint after every page, fsync — then prints one JSON line with the
 * peak resident set size (`process.resourceUsage().maxRSS`).
 *
 * `memory.ts` runs it bundled (plain `node`, no TypeScript loader in the
 * process); `tsx bench/src/memory-child.ts <records>` works too.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Endpoints, Export, Figgro, FiggroConfig } from "@figgro/core"
import { Simulator } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as CheckpointFile from "@figgro/node/CheckpointFile"
import * as NdjsonSink from "@figgro/node/sinks/NdjsonSink"
import { apiKey } from "./common.js"

export interface MemoryChildResult {
  readonly records: number
  readonly pages: number
  readonly seconds: number
  readonly peakRssMb: number
  /** The largest V8 heap in use (garbage included), sampled every 250 ms. */
  readonly peakHeapUsedMb: number
  /** The V8 heap in use at the end after a full GC (run with --expose-gc): what the run still holds. */
  readonly heapAfterGcMb: number | undefined
  readonly outputBytes: number
  readonly outputFolder: string
}

const records = Number(process.argv[2])
if (!Number.isInteger(records) || records <= 0) {
  process.stderr.write("usage: memory-child <records>\n")
  process.exit(2)
}

let peakHeapUsed = 0
const sampler = setInterval(() => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed)
}, 250)

// The output goes to a RAM-backed folder when there is one (/dev/shm): every
// page is still written and fsynced, but the disk's fsync latency (milliseconds
// a page on a VM disk) would make the million-record run take many minutes
// while measuring the disk, not memory. Set FIGGRO_BENCH_TMP to choose.
const tmp = process.env["FIGGRO_BENCH_TMP"] ?? (NodeFs.existsSync("/dev/shm") ? "/dev/shm" : NodeOs.tmpdir())
const out = NodeFs.mkdtempSync(NodePath.join(tmp, "figgro-bench-memory-"))
const limit = 1_000_000_000
const layer = Figgro.layer.pipe(
  Layer.provideMerge(FiggroConfig.layer({ apiKey, baseUrl: "http://localhost", budget: { limit } })),
  Layer.provide(Simulator.layerHttpClient),
  Layer.provide(Simulator.layer({ counts: { products: records }, limit })),
  Layer.provideMerge(NodeFileSystem.layer),
  Layer.orDie
)

const program = Effect.gen(function*() {
  const start = performance.now()
  const summary = yield* Export.run({
    endpoint: Endpoints.products,
    sink: yield* NdjsonSink.make(out),
    checkpoints: yield* CheckpointFile.make(out)
  })
  const seconds = (performance.now() - start) / 1000
  if (summary.records !== records) return yield* Effect.die(`exported ${summary.records} of ${records} records`)
  const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10
  const peakHeapUsedMb = Math.round((Math.max(peakHeapUsed, process.memoryUsage().heapUsed) / 1048576) * 10) / 10
  const gc = (globalThis as { readonly gc?: () => void }).gc
  gc?.()
  const result: MemoryChildResult = {
    records,
    pages: summary.pages,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMb,
    peakHeapUsedMb,
    heapAfterGcMb: gc === undefined ? undefined : Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10,
    outputBytes: NodeFs.statSync(NdjsonSink.pathOf(out, "products")).size,
    outputFolder: tmp
  }
  return result
}).pipe(
  Effect.provide(layer),
  Effect.orDie,
  Effect.ensuring(Effect.sync(() => NodeFs.rmSync(out, { recursive: true, force: true })))
)

const result = await Effect.runPromise(program)
clearInterval(sampler)
process.stdout.write(JSON.stringify(result) + "\n")
