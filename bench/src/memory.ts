/**
 * Memory: the export of `memory-child.ts` at two sizes, each in its own
 * process (no shared heap). The child is bundled with esbuild first and run
 * with plain `node`, so the figure is the library's, not the TypeScript
 * loader's (tsx adds a loader thread and its caches, ~90 MB of RSS).
 */
import * as esbuild from "esbuild"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import type { MemoryChildResult } from "./memory-child.js"

export interface MemoryOptions {
  readonly records: number
  readonly recordsSmall: number
}

export interface MemoryResult {
  readonly records: number
  readonly peakRssMb: number
  readonly records100k: number
  readonly peakRssMbAt100k: number
  readonly seconds: number
  readonly secondsAt100k: number
  readonly peakHeapUsedMb: number
  readonly peakHeapUsedMbAt100k: number
  /** The live heap at the end, after a full GC: what the export still holds. */
  readonly heapAfterGcMb: number | undefined
  readonly heapAfterGcMbAt100k: number | undefined
  /** Peak RSS of the same process exporting a single page: what Node and the loaded modules cost. */
  readonly baselineRssMb: number
}

export const defaults: MemoryOptions = { records: 1_000_000, recordsSmall: 100_000 }

const here = NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url))

/** Bundles the child into a temporary folder; answers the bundle's path. */
const bundle = async (): Promise<string> => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "figgro-bench-child-"))
  const outfile = NodePath.join(dir, "memory-child.mjs")
  await esbuild.build({
    entryPoints: [NodePath.join(here, "memory-child.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __figgroCreateRequire } from 'node:module'; const require = __figgroCreateRequire(import.meta.url);" }
  })
  return outfile
}

/** Runs the child on `records`; its last stdout line is the result. */
export const runChild = (script: string, records: number): Promise<MemoryChildResult> =>
  new Promise((resolve, reject) => {
    ChildProcess.execFile(
      process.execPath,
      // --expose-gc: after measuring the peak, the child collects and reports the live heap.
      ["--expose-gc", script, String(records)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`memory child (${records} records) failed: ${error.message}\n${stderr}`))
        const last = stdout.trim().split("\n").at(-1) ?? ""
        try {
          resolve(JSON.parse(last) as MemoryChildResult)
        } catch {
          reject(new Error(`memory child (${records} records) printed no result:\n${stdout}\n${stderr}`))
        }
      }
    )
  })

export const measure = async (options: MemoryOptions = defaults): Promise<MemoryResult> => {
  const script = await bundle()
  try {
    const baseline = await runChild(script, 25)
    const small = await runChild(script, options.recordsSmall)
    const large = await runChild(script, options.records)
    return {
      records: large.records,
      peakRssMb: large.peakRssMb,
      records100k: small.records,
      peakRssMbAt100k: small.peakRssMb,
      seconds: large.seconds,
      secondsAt100k: small.seconds,
      peakHeapUsedMb: large.peakHeapUsedMb,
      peakHeapUsedMbAt100k: small.peakHeapUsedMb,
      heapAfterGcMb: large.heapAfterGcMb,
      heapAfterGcMbAt100k: small.heapAfterGcMb,
      baselineRssMb: baseline.peakRssMb
    }
  } finally {
    NodeFs.rmSync(NodePath.dirname(script), { recursive: true, force: true })
  }
}
