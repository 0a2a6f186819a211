/**
 * `figgro export <resource...|all>`: every record of the chosen resources
 * into files or SQLite, checkpointed after every page, resumable.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import { Endpoints, Export, Figgro, FiggroConfig } from "@figgro/core"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CheckpointFile from "../CheckpointFile.js"
import * as CsvSink from "../sinks/CsvSink.js"
import * as NdjsonSink from "../sinks/NdjsonSink.js"
import * as SqliteSink from "../sinks/SqliteSink.js"
import { advise, exitCodeOf } from "./Advice.js"
import { type ClientFlags, clientLayer, clientOptions } from "./ClientOptions.js"
import { CliExit } from "./CliExit.js"
import { ExitCode } from "./ExitCode.js"
import * as Progress from "./Progress.js"
import { endDate, startDate } from "./Resources.js"
import * as SummaryTable from "./SummaryTable.js"

const sinks = { ndjson: NdjsonSink.make, csv: CsvSink.make, sqlite: SqliteSink.make } as const
type Format = keyof typeof sinks

const resources = Args.choice([...Endpoints.resourceNames, "all"].map((name) => [name, name] as const), {
  name: "resource"
}).pipe(
  Args.withDescription(`What to export: ${Endpoints.resourceNames.join(", ")}, or all.`),
  Args.atLeast(1)
)

const out = Options.directory("out").pipe(
  Options.withDescription("Directory for the output and checkpoints (created if missing)."),
  Options.withDefault("export")
)
const format = Options.choice("format", ["ndjson", "csv", "sqlite"] as const).pipe(
  Options.withDescription("ndjson: <out>/<resource>.ndjson; csv: <out>/<resource>.csv; sqlite: <out>/figgro.sqlite."),
  Options.withDefault<Format>("ndjson")
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDescription("Pages fetched ahead (order is kept). Default FIGGRO_READ_AHEAD or 1."),
  Options.optional
)
const resume = Options.boolean("resume").pipe(
  Options.withDescription("Continue from the checkpoints in --out instead of starting afresh.")
)
const verify = Options.boolean("verify").pipe(
  Options.withDescription("After the walk, walk again and add records that shifting data made the walk miss (costs one request per page).")
)

export interface ExportArgs extends ClientFlags {
  readonly resources: ReadonlyArray<string>
  readonly out: string
  readonly format: Format
  readonly startDate: Option.Option<string>
  readonly endDate: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly resume: boolean
  readonly verify: boolean
}

const selected = (names: ReadonlyArray<string>): ReadonlyArray<Endpoints.AnyEndpoint> =>
  names.includes("all") ? Endpoints.all : Endpoints.all.filter((endpoint) => names.includes(endpoint.name))

/** The export, given a `Figgro` client: used by the command and by the demo. */
export const runExport = (args: Omit<ExportArgs, keyof ClientFlags>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const figgro = yield* Figgro
    const config = yield* FiggroConfig
    yield* Effect.orDie(fs.makeDirectory(args.out, { recursive: true }))
    const sink = yield* sinks[args.format](args.out)
    const checkpoints = yield* CheckpointFile.make(args.out)
    const progress = yield* Progress.make({
      tty: process.stderr.isTTY === true,
      write: (text) => process.stderr.write(text),
      budget: figgro.budget,
      windowMillis: Duration.toMillis(config.budget.window)
    })
    const summaries: Array<Export.ExportSummary> = []
    for (const endpoint of selected(args.resources)) {
      const summary = yield* Export.run({
        endpoint,
        sink,
        checkpoints,
        filters: { startDate: Option.getOrUndefined(args.startDate), endDate: Option.getOrUndefined(args.endDate) },
        resume: args.resume,
        verify: args.verify,
        concurrency: Option.getOrUndefined(args.concurrency),
        onProgress: progress.onProgress
      }).pipe(
        Effect.catchAll((error) => {
          const code = exitCodeOf(error)
          // A usage error (a bad date, a checkpoint of other settings) wrote nothing to resume.
          const kept = code === ExitCode.usage ?
            "" :
            `\nPages written so far are kept with their checkpoint in ${args.out}: fix the cause and run the same command with --resume.`
          return Effect.fail(new CliExit({ code, message: `${endpoint.name}: ${advise(error)}${kept}` }))
        })
      )
      summaries.push(summary)
    }
    return summaries
  }).pipe(
    Effect.scoped,
    Effect.onInterrupt(() =>
      Console.error(`\nInterrupted. The checkpoint in ${args.out} is kept: run the same command with --resume to continue.`)
    )
  )

/** Prints the summary table; drift makes the exit code 3. */
export const report = (summaries: ReadonlyArray<Export.ExportSummary>) =>
  Effect.gen(function*() {
    yield* Console.log(SummaryTable.render(summaries))
    const drifted = summaries.filter((s) => s.drift !== undefined)
    if (drifted.length > 0) {
      const names = (list: ReadonlyArray<Export.ExportSummary>) => list.map((s) => s.resource).join(", ")
      const unverified = drifted.filter((s) => !s.verified)
      const verified = drifted.filter((s) => s.verified)
      return yield* new CliExit({
        code: ExitCode.drifted,
        message: [
          unverified.length === 0 ? undefined : `Data changed during the export of ${names(unverified)} (see "drift"). ` +
            "Duplicates were dropped; records shifted past the walk may be missing: run again with --resume --verify to add them.",
          verified.length === 0 ? undefined : `Data changed during the export of ${names(verified)} (see "drift"). ` +
            "Duplicates were dropped, and the verify pass re-read every page and added the records the walk missed " +
            `(${verified.map((s) => `${s.resource}: ${s.recovered}`).join(", ")}).`
        ].filter((line) => line !== undefined).join("\n")
      })
    }
  })

export const exportCommand = Command.make(
  "export",
  { resources, out, format, startDate, endDate, concurrency, resume, verify, ...clientOptions },
  (args) => runExport(args).pipe(Effect.flatMap(report), Effect.provide(clientLayer(args)))
).pipe(Command.withDescription(
  [
    "Export every record of one or more resources, checkpointed after every page.",
    "",
    "Examples:",
    "  figgro export all",
    "  figgro export products raw-materials --format csv --out ./figgro",
    "  figgro export job-run-tickets --start-date 2026-01-01 --end-date 2026-06-30 --format sqlite",
    "  figgro export all --resume          # continue after an interruption",
    "",
    "Exit codes: 0 done; 2 usage or config error; 3 done but data drifted; 4 the API refused; 130 interrupted."
  ].join("\n")
))
