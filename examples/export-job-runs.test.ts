/**
 * The export example against the in-memory simulator, interrupted by a
 * refused key half-way and resumed: every record once, no page fetched twice.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { it } from "@effect/vitest"
import { Endpoints } from "@figgro/core"
import { Faults, FiggroTest, Simulator } from "@figgro/core/testing"
import { SqliteSink } from "@figgro/node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { expect } from "vitest"
import { exportNovemberJobRuns } from "./export-job-runs.js"

interface Database {
  prepare(sql: string): { all(): Array<{ id: string }> }
  close(): void
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new(path: string) => Database

it.scopedLive("exports November's job runs to SQLite, and resumes after a failure", () =>
  Effect.gen(function*() {
    const out = yield* Effect.acquireRelease(
      Effect.sync(() => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "figgro-example-"))),
      (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
    )
    const simulator = yield* Simulator
    const november = { startDate: "2026-11-01", endDate: "2026-11-30" }
    const expected = yield* Stream.runCollect(
      Stream.map(simulator.groundTruth("job-runs", november), (record) => (record as { id: string }).id)
    )

    // The fifth request fails (retries are off here): the export stops, its checkpoint kept.
    yield* simulator.addFault(Faults.make(Faults.serverError, Faults.onRequest(5)))
    const first = yield* Effect.either(exportNovemberJobRuns(out))
    expect(first._tag).toBe("Left")

    const summary = yield* exportNovemberJobRuns(out)
    expect(summary.resumed).toBe(true)
    expect(summary.resumedAtPage).toBe(5)
    // Pages 1–4 once; page 5 failed, then it and the rest: nothing written is fetched again.
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
    const pagesAsked = (yield* simulator.log).map((entry) => entry.page)
    expect(pagesAsked).toEqual([...range(1, 5), ...range(5, summary.pages)])

    const db = new Database(NodePath.join(out, SqliteSink.filename))
    const ids = db.prepare(`select id from ${SqliteSink.tableName(Endpoints.jobRuns.name)} order by rowid`).all()
    db.close()
    expect(ids.map((row) => row.id)).toEqual([...expected])
    expect(expected.length).toBeGreaterThan(100)
  }).pipe(
    Effect.provide([
      FiggroTest.layerSimulator({ counts: { "job-runs": 12_000 } }, { retry: { maxAttempts: 1 } }),
      NodeContext.layer
    ])
  ))
