/**
 * `figgro export` interrupted for real: `kill -9` of the CLI process at
 * several points of an export, then `--resume`; and data that drifts under
 * the walk, then `--resume --verify`. The CLI runs in a child process (Node +
 * tsx) against the simulator served over HTTP from this process, whose
 * request log shows what each run fetched.
 *
 * The kills are triggered by the checkpoint file (polled every 5 ms): once
 * it shows `nextPage >= k`, the process is killed. The process may have
 * gone a page or two further by then; the assertions use the checkpoint as
 * the killed process left it. A simulator latency of 10 ms a page, and three
 * fsyncs a page (output, checkpoint, directory), make a 24-page walk last
 * about a second, long enough for the kill to land mid-walk.
 */
import { assert, describe, it } from "@effect/vitest"
import { Faults, Simulator, type SimulatorOptions } from "@figgro/core/testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as NodePath from "node:path"
import * as SimulatorServer from "../SimulatorServer.js"
import * as CsvSink from "../sinks/CsvSink.js"
import * as NdjsonSink from "../sinks/NdjsonSink.js"
import * as SqliteSink from "../sinks/SqliteSink.js"
import * as Cli from "../testing/cliProcess.js"
import * as Files from "../testing/exportFiles.js"
import { ExitCode } from "./ExitCode.js"

const key = "fgr_e2e_resume_Pm4Xc8Lw"
const resource = "job-run-tickets"

const served = (options: SimulatorOptions) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ keys: [key], ...options })
    const server = yield* SimulatorServer.serve(sim.handleRaw, { port: 0 })
    return { sim, env: { FIGGRO_BASE_URL: server.url, FIGGRO_API_KEY: key } }
  })

const formats = {
  ndjson: (out: string) => Files.readNdjson(NdjsonSink.pathOf(out, resource)).map((record) => String(record["id"])),
  csv: (out: string) => Files.readCsv(CsvSink.pathOf(out, resource)).map((row) => row["id"]!),
  sqlite: (out: string) => Files.idsOf(Files.readSqlite(NodePath.join(out, SqliteSink.filename), resource))
} as const

/**
 * Exports `job-run-tickets` (600 records, 24 pages) in `format`, killing
 * the process with SIGKILL once the checkpoint reaches each of `killAt`, then
 * resumes to the end. After each kill, the next run must not request a page
 * the checkpoint says is written; the output must be exactly the ground truth.
 *
 * Each run uses a key of its own, so the simulator's log tells the runs
 * apart even if a killed run's last request reaches the server late.
 */
const killAndResume = (format: keyof typeof formats, killAt: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const runKeys = [...killAt, "end"].map((_, i) => `${key}_run${i}`)
    const { env, sim } = yield* served({ counts: { [resource]: 600 }, latency: Duration.millis(10), keys: runKeys })
    const out = yield* Files.tempDir(`figgro-cli-kill-${format}-`)
    const args = ["export", resource, "--format", format, "--out", out]
    const runs: Array<Cli.CliResult> = []
    /** The checkpoint's nextPage when the previous run was killed. */
    let written = 1

    /** The requests of run `i`: none for a page already written; the first for the checkpoint's next page. */
    const assertNoRefetch = (i: number) =>
      Effect.gen(function*() {
        const log = (yield* sim.log).filter((entry) => entry.key === runKeys[i])
        const refetched = log.filter((entry) => entry.page !== undefined && entry.page < written)
        assert.deepStrictEqual(refetched.map((entry) => entry.page), [], `run ${i}: pages below ${written} fetched again`)
        assert.strictEqual(log[0]?.page, written, `run ${i} starts at the checkpoint's next page`)
      })

    for (const [i, k] of killAt.entries()) {
      const cli = yield* Cli.spawn(i === 0 ? args : [...args, "--resume"], {
        env: { ...env, FIGGRO_API_KEY: runKeys[i] }
      })
      yield* Cli.eventually(Effect.sync(() => (Files.readCheckpoint(out, resource)?.nextPage ?? 0) >= k), {
        timeout: "30 seconds",
        interval: "5 millis",
        what: `the checkpoint reached page ${k}`
      })
      yield* cli.kill("SIGKILL")
      const killed = yield* cli.exit
      runs.push(killed)
      assert.strictEqual(killed.signal, "SIGKILL", Cli.describe(killed))
      yield* assertNoRefetch(i)
      const checkpoint = Files.readCheckpoint(out, resource)!
      assert.strictEqual(checkpoint.phase, "walk", `killed at ${k}, before the end`)
      assert.isAtLeast(checkpoint.nextPage, k)
      assert.isBelow(checkpoint.nextPage, 25)
      written = checkpoint.nextPage
    }

    const finished = yield* Cli.run([...args, "--resume"], { env: { ...env, FIGGRO_API_KEY: runKeys[killAt.length] } })
    runs.push(finished)
    assert.strictEqual(finished.code, ExitCode.ok, Cli.describe(finished))
    yield* assertNoRefetch(killAt.length)
    assert.strictEqual(Files.readCheckpoint(out, resource)?.phase, "complete")

    const truth = Files.idsOf(yield* Files.groundTruth(sim, resource))
    const ids = formats[format](out)
    assert.strictEqual(new Set(ids).size, ids.length, "no duplicates")
    assert.deepStrictEqual(ids, truth, "exactly the ground truth, in order")
    if (format === "ndjson") {
      assert.deepStrictEqual(Files.readNdjson(NdjsonSink.pathOf(out, resource)), yield* Files.groundTruth(sim, resource))
    }
    // Over all runs each page was fetched at most twice: once more only if it was in flight at a kill.
    const byPage = new Map<number, number>()
    for (const entry of yield* sim.log) byPage.set(entry.page!, (byPage.get(entry.page!) ?? 0) + 1)
    assert.strictEqual(byPage.size, 24)
    const repeated = [...byPage.values()].filter((n) => n > 1).length
    assert.isAtMost(repeated, killAt.length * 2)
    assert.isTrue([...byPage.values()].every((n) => n <= 2))
    for (const run of runs) assert.notInclude(run.stdout + run.stderr, key)
    assert.deepStrictEqual(Files.filesContaining(out, key), [])
  })

describe("figgro export killed with SIGKILL, then --resume (child process, simulator over HTTP)", () => {
  it.scopedLive("NDJSON: killed three times at growing pages", () => killAndResume("ndjson", [3, 10, 17]), 60_000)
  it.scopedLive("CSV: killed once mid-walk", () => killAndResume("csv", [8]), 60_000)
  it.scopedLive("SQLite: killed once mid-walk", () => killAndResume("sqlite", [14]), 60_000)
})

describe("figgro export under drift (child process, simulator over HTTP)", () => {
  it.scopedLive("records inserted at the front mid-walk: no duplicates, exit 3 with the drift reported; --resume --verify adds the rest", () =>
    Effect.gen(function*() {
      // after page 3 is served, 5 records are inserted at the front: page 4 repeats 5 records of page 3
      const { env, sim } = yield* served({
        counts: { [resource]: 300 },
        faults: [Faults.make(Faults.drift(resource, 5), Faults.onEndpoint(resource, 3))]
      })
      const out = yield* Files.tempDir("figgro-cli-drift-")
      const args = ["export", resource, "--out", out]
      const original = Files.idsOf(yield* Files.groundTruth(sim, resource)).slice(0, 300)

      const drifted = yield* Cli.run(args, { env })
      assert.strictEqual(drifted.code, ExitCode.drifted, Cli.describe(drifted))
      const row = drifted.stdout.split("\n").find((line) => line.startsWith(resource))!
      assert.include(row, "+5 (p.4)", Cli.describe(drifted))
      assert.include(drifted.stderr, `Data changed during the export of ${resource}`)
      assert.include(drifted.stderr, "--resume --verify")
      const walked = formats.ndjson(out)
      assert.strictEqual(new Set(walked).size, walked.length, "no duplicate ids")
      const truth = Files.idsOf(yield* Files.groundTruth(sim, resource))
      assert.strictEqual(truth.length, 305)
      // what the walk could see: every record that was there when it started; the 5 inserted behind it are missing
      assert.deepStrictEqual(walked, original)

      const logFrom = (yield* sim.log).length
      const verified = yield* Cli.run([...args, "--resume", "--verify"], { env })
      // still exit 3, the data did move; the message now says the verify pass added what the walk missed
      assert.strictEqual(verified.code, ExitCode.drifted, Cli.describe(verified))
      assert.include(verified.stderr, "the verify pass re-read every page")
      assert.include(verified.stderr, `${resource}: 5`)
      assert.notInclude(verified.stderr, "run again with --resume --verify")
      const ids = formats.ndjson(out)
      assert.strictEqual(new Set(ids).size, ids.length, "no duplicate ids after the verify pass")
      assert.deepStrictEqual([...ids].sort(), [...truth].sort(), "every id of the ground truth")
      assert.deepStrictEqual(ids.slice(0, 300), walked, "the verify pass only appends")
      // the verify pass re-read every page once
      assert.deepStrictEqual((yield* sim.log).slice(logFrom).map((e) => e.page), Array.from({ length: 13 }, (_, i) => i + 1))
      const checkpoint = Files.readCheckpoint(out, resource)!
      assert.deepStrictEqual([checkpoint.phase, checkpoint.stats.verified], ["complete", true])
    }), 60_000)
})
