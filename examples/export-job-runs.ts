/**
 * Export the job runs of a date range into SQLite, resumably: run it again
 * after an interruption and it continues at the next page.
 *
 *   FIGGRO_API_KEY=fgr_… pnpm tsx examples/export-job-runs.ts ./out
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Endpoints, Export } from "@figgro/core"
import { CheckpointFile, FiggroNode, SqliteSink } from "@figgro/node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** Job runs scheduled in November 2026, into `<out>/figgro.sqlite` (table `job_runs`). */
export const exportNovemberJobRuns = (out: string) =>
  Effect.gen(function*() {
    const summary = yield* Export.run({
      endpoint: Endpoints.jobRuns,
      filters: { startDate: "2026-11-01", endDate: "2026-11-30" },
      sink: yield* SqliteSink.make(out),
      checkpoints: yield* CheckpointFile.make(out),
      resume: true
    })
    yield* Console.log(
      `${summary.records} job runs in ${summary.pages} pages (${summary.requests} requests)` +
        (summary.resumed ? `, resumed at page ${summary.resumedAtPage}` : "")
    )
    return summary
  })

if (import.meta.url === `file://${process.argv[1]}`) {
  exportNovemberJobRuns(process.argv[2] ?? "out").pipe(
    Effect.provide([FiggroNode.layerConfig, NodeContext.layer]),
    NodeRuntime.runMain
  )
}
