/**
 * `pnpm demo`: the simulator on a free loopback port with realistic volumes,
 * a few 503s and one 429 on the way, and `figgro export all` into ./export
 * as NDJSON, with progress and the summary; then a check of the files
 * against the simulator's ground truth.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Endpoints } from "@figgro/core"
import { defaultKey, Faults, Simulator } from "@figgro/core/testing"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Readline from "node:readline"
import { advise } from "./cli/Advice.js"
import { CliExit } from "./cli/CliExit.js"
import { report, runExport } from "./cli/ExportCommand.js"
import * as FiggroNode from "./FiggroNode.js"
import * as NdjsonSink from "./sinks/NdjsonSink.js"
import * as SimulatorServer from "./SimulatorServer.js"

const out = "export"

const faults = [
  Faults.make(Faults.unavailable, Faults.onRequest(25)),
  Faults.make(Faults.unavailable, Faults.onEndpoint("job-run-tickets", 120)),
  Faults.make(Faults.serverError, Faults.onEndpoint("product-job-run-tickets", 40)),
  Faults.make(Faults.rateLimited(Duration.seconds(2)), Faults.onRequest(300))
]

/** The ids in an NDJSON file, in order. */
const idsOf = (path: string) =>
  Stream.fromAsyncIterable(Readline.createInterface({ input: Fs.createReadStream(path) }), (error) => error).pipe(
    Stream.map((line) => (JSON.parse(line) as { id: string }).id),
    Stream.runCollect,
    Effect.orDie
  )

/** Every exported file holds exactly the simulator's records, in order. */
const checkAgainstGroundTruth = (simulator: Simulator["Type"]) =>
  Effect.gen(function*() {
    let total = 0
    for (const endpoint of Endpoints.all) {
      const expected = yield* simulator.groundTruth(endpoint.name).pipe(
        Stream.map((record) => (record as { id: string }).id),
        Stream.runCollect,
        Effect.orDie
      )
      const actual = yield* idsOf(NdjsonSink.pathOf(out, endpoint.name))
      const same = expected.length === actual.length && [...expected].every((id, i) => [...actual][i] === id)
      if (!same) {
        return yield* new CliExit({
          code: 1,
          message: `${endpoint.name}: the export differs from the simulator's data (${actual.length} records vs ${expected.length}).`
        })
      }
      total += actual.length
    }
    yield* Console.log(`\nChecked: the ${total.toLocaleString("en")} exported records are exactly the simulator's, in order.`)
  })

const demo = Effect.gen(function*() {
  const simulator = yield* Simulator.make({ faults, latency: { min: Duration.millis(5), max: Duration.millis(30) } })
  const server = yield* SimulatorServer.serve(simulator.handleRaw)
  yield* Console.log(
    `Figgro simulator on ${server.url} (1,000 requests an hour; a few 503s and one 429 injected).\n` +
      `Exporting every resource to ./${out} as NDJSON…\n`
  )
  const summaries = yield* runExport({
    resources: ["all"],
    out,
    format: "ndjson",
    startDate: Option.none(),
    endDate: Option.none(),
    concurrency: Option.some(4),
    resume: false,
    verify: false
  }).pipe(
    Effect.provide(FiggroNode.layer({ apiKey: defaultKey, baseUrl: server.url, retry: { baseDelay: "200 millis" } }))
  )
  yield* report(summaries)
  yield* checkAgainstGroundTruth(simulator)
}).pipe(Effect.scoped)

demo.pipe(
  Effect.catchAll((error) =>
    Effect.zipRight(
      Console.error(error._tag === "CliExit" ? error.message : advise(error)),
      Effect.sync(() => (process.exitCode = error._tag === "CliExit" ? error.code : 1))
    )
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
