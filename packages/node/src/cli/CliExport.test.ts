/**
 * `figgro export` end to end: the real CLI in a child process (Node + tsx)
 * against the simulator served over HTTP from this process, output in a
 * temporary directory, read back with independent readers (JSON.parse,
 * CsvReader, better-sqlite3) and compared with the simulator's ground truth.
 *
 * Real time: the CLI is another process. Each process costs 1–2 s to start,
 * so the exports are shared between the assertions of a test.
 */
import { assert, describe, it } from "@effect/vitest"
import { Endpoints } from "@figgro/core"
import { Simulator, type SimulatorOptions } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as SimulatorServer from "../SimulatorServer.js"
import * as CsvSink from "../sinks/CsvSink.js"
import * as NdjsonSink from "../sinks/NdjsonSink.js"
import * as SqliteSink from "../sinks/SqliteSink.js"
import * as Cli from "../testing/cliProcess.js"
import * as Files from "../testing/exportFiles.js"
import { ExitCode } from "./ExitCode.js"

const key = "fgr_e2e_Zq7xK3pW9mTtH4vN"
const counts = { products: 60, "raw-materials": 40, "job-runs": 80, "job-run-tickets": 300, "product-job-run-tickets": 120 }
/** Pages per resource at 25 a page. */
const pages = { products: 3, "raw-materials": 2, "job-runs": 4, "job-run-tickets": 12, "product-job-run-tickets": 5 }

const served = (options: SimulatorOptions = {}) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ counts, keys: [key], ...options })
    const server = yield* SimulatorServer.serve(sim.handleRaw, { port: 0 })
    const env = { FIGGRO_BASE_URL: server.url, FIGGRO_API_KEY: key, FIGGRO_RETRY_BASE_DELAY: "20 millis" }
    return { sim, server, env }
  })

/** No key in what the runs printed, nor in any byte of any file under `dirs`. */
const assertKeysNowhere = (
  keys: ReadonlyArray<string>,
  results: ReadonlyArray<Cli.CliResult>,
  dirs: ReadonlyArray<string>
) => {
  for (const secret of keys) {
    for (const result of results) {
      assert.notInclude(result.stdout, secret, Cli.describe(result))
      assert.notInclude(result.stderr, secret, Cli.describe(result))
    }
    for (const dir of dirs) {
      assert.isTrue(Files.filesUnder(dir).some((file) => NodePath.basename(file).startsWith(".figgro-checkpoint.")))
      assert.deepStrictEqual(Files.filesContaining(dir, secret), [], `the key is in files under ${dir}`)
    }
  }
}

/** A CSV cell read back is the value written: the same text, number, boolean or JSON; empty for null. */
const assertCsvRow = (row: Record<string, string>, record: Files.Row, where: string) => {
  const columns = Object.keys(row).filter((column) => column !== CsvSink.extraColumn)
  for (const column of columns) {
    const cell = row[column]!
    const value = record[column]
    const at = `${where}.${column}`
    if (value === null || value === undefined) assert.strictEqual(cell, "", at)
    else if (typeof value === "number") assert.strictEqual(Number(cell), value, at)
    else if (typeof value === "string") assert.strictEqual(cell, value, at)
    else if (typeof value === "boolean") assert.strictEqual(cell, String(value), at)
    else assert.deepStrictEqual(JSON.parse(cell), value, at)
  }
  // every field of the record has a column, or is in _extra
  const extra = row[CsvSink.extraColumn] ? JSON.parse(row[CsvSink.extraColumn]!) as Files.Row : {}
  for (const field of Object.keys(record)) {
    if (!columns.includes(field)) assert.deepStrictEqual(extra[field], record[field], `${where}.${field} (in _extra)`)
  }
}

describe("figgro export (child process, simulator over HTTP)", () => {
  it.scopedLive("each format holds exactly the ground truth of every resource; the key is in no file and no message", () =>
    Effect.gen(function*() {
      const { env, server, sim } = yield* served()
      const out = yield* Files.tempDir("figgro-cli-formats-")
      // the CSV run reads the key from --api-key-file (outside the output directory)
      const secrets = yield* Files.tempDir("figgro-cli-keyfile-")
      const keyFile = NodePath.join(secrets, "figgro.key")
      NodeFs.writeFileSync(keyFile, `${key}\n`)
      const runs = {
        ndjson: { args: [], env },
        csv: { args: ["--api-key-file", keyFile], env: { FIGGRO_BASE_URL: server.url } },
        sqlite: { args: [], env }
      }
      const formats = ["ndjson", "csv", "sqlite"] as const
      const results = yield* Effect.forEach(
        formats,
        (format) =>
          Cli.run(["export", "all", "--format", format, "--out", NodePath.join(out, format), ...runs[format].args], {
            env: runs[format].env
          }),
        { concurrency: 3 }
      )
      for (const result of results) {
        assert.strictEqual(result.code, ExitCode.ok, Cli.describe(result))
        for (const endpoint of Endpoints.all) {
          const row = result.stdout.split("\n").find((line) => line.startsWith(`${endpoint.name} `))
          assert.isDefined(row, Cli.describe(result))
          // resource, records, pages, requests, retries: one request a page, none repeated
          const [, records, pageCount, requests, retries] = row!.trim().split(/\s+/)
          assert.deepStrictEqual(
            [records, pageCount, requests, retries],
            [String(counts[endpoint.name]), String(pages[endpoint.name]), String(pages[endpoint.name]), "0"],
            row
          )
        }
      }

      for (const endpoint of Endpoints.all) {
        const truth = yield* Files.groundTruth(sim, endpoint.name)
        assert.strictEqual(truth.length, counts[endpoint.name])

        const ndjson = Files.readNdjson(NdjsonSink.pathOf(NodePath.join(out, "ndjson"), endpoint.name))
        assert.deepStrictEqual(ndjson, truth, `${endpoint.name}.ndjson`)

        const csv = Files.readCsv(CsvSink.pathOf(NodePath.join(out, "csv"), endpoint.name))
        assert.deepStrictEqual(csv.map((row) => row["id"]), Files.idsOf(truth), `${endpoint.name}.csv ids`)
        csv.forEach((row, i) => assertCsvRow(row, truth[i]!, `${endpoint.name}.csv row ${i + 1}`))

        const sqlite = Files.readSqlite(NodePath.join(out, "sqlite", SqliteSink.filename), endpoint.name)
        assert.deepStrictEqual(sqlite, truth, `figgro.sqlite#${endpoint.name.replace(/-/g, "_")}`)
      }
      // every page fetched exactly once per export
      const stats = yield* sim.stats
      const totalPages = Object.values(pages).reduce((a, b) => a + b, 0)
      assert.strictEqual(stats.requests, 3 * totalPages)
      assert.deepStrictEqual(stats.byStatus, { 200: 3 * totalPages })

      // the scan reads every byte: a record's id is found in each format's file, the SQLite database included
      const someId = String((yield* Files.groundTruth(sim, "job-run-tickets"))[137]!["id"])
      assert.deepStrictEqual(Files.filesContaining(out, someId).map((file) => NodePath.relative(out, file)).sort(), [
        "csv/job-run-tickets.csv",
        "ndjson/job-run-tickets.ndjson",
        "sqlite/figgro.sqlite"
      ])
      assertKeysNowhere([key], results, [out])
    }), 60_000)

  it.scopedLive("a key refused mid-export exits 4 and keeps the checkpoint; a valid key resumes to exactly the ground truth", () =>
    Effect.gen(function*() {
      const expiring = "fgr_e2e_expiring_Rb8LqY2"
      const backup = "fgr_e2e_backup_Vn5KdW7s"
      // products 3 + raw-materials 2 + job-runs page 1 = 6 requests; job-runs page 2 is refused
      const { env, sim } = yield* served({ keys: [{ key: expiring, expiresAfterRequests: 6 }, backup] })
      const out = yield* Files.tempDir("figgro-cli-401-")
      const args = ["export", "all", "--format", "csv", "--out", out]

      const refused = yield* Cli.run(args, { env: { ...env, FIGGRO_API_KEY: expiring } })
      assert.strictEqual(refused.code, ExitCode.refused, Cli.describe(refused))
      assert.include(refused.stderr, "job-runs: The key was refused (401 UNAUTHORIZED")
      assert.include(refused.stderr, "--resume")
      const checkpoint = Files.readCheckpoint(out, "job-runs")
      assert.deepStrictEqual([checkpoint?.phase, checkpoint?.nextPage, checkpoint?.stats.records], ["walk", 2, 25])
      assert.strictEqual(Files.readCheckpoint(out, "products")?.phase, "complete")
      assert.isUndefined(Files.readCheckpoint(out, "job-run-tickets"))
      const logBefore = (yield* sim.log).length
      assert.deepStrictEqual((yield* sim.log).at(-1)?.status, 401)

      const resumed = yield* Cli.run([...args, "--resume"], { env: { ...env, FIGGRO_API_KEY: backup } })
      assert.strictEqual(resumed.code, ExitCode.ok, Cli.describe(resumed))
      for (const endpoint of Endpoints.all) {
        const truth = yield* Files.groundTruth(sim, endpoint.name)
        const rows = Files.readCsv(CsvSink.pathOf(out, endpoint.name))
        assert.deepStrictEqual(rows.map((row) => row["id"]), Files.idsOf(truth), endpoint.name)
      }
      // the resume fetched nothing that was written: finished resources not at all, job-runs from page 2
      const again = (yield* sim.log).slice(logBefore)
      assert.isTrue(again.every((entry) => entry.key === backup && entry.status === 200))
      assert.deepStrictEqual(again.filter((e) => e.resource === "products" || e.resource === "raw-materials"), [])
      assert.deepStrictEqual(again.filter((e) => e.resource === "job-runs").map((e) => e.page), [2, 3, 4])

      assertKeysNowhere([expiring, backup], [refused, resumed], [out])
    }), 60_000)
})
