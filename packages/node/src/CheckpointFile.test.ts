import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import { Endpoints } from "@figgro/core"
import { FiggroTest, MockHttp } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs"
import * as CheckpointFile from "./CheckpointFile.js"
import { Checkpoint, Export } from "@figgro/core"
import * as CsvReader from "./sinks/CsvReader.js"
import * as CsvSink from "./sinks/CsvSink.js"
import * as NdjsonSink from "./sinks/NdjsonSink.js"
import * as SqliteSink from "./sinks/SqliteSink.js"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "figgro-checkpoint-" }))

const sample: Checkpoint.Checkpoint = {
  version: 1,
  resource: "job-runs",
  endpoint: Endpoints.jobRuns.path,
  phase: "walk",
  nextPage: 3,
  pageSize: 25,
  totalRecordsSeen: 80,
  totalPagesSeen: 4,
  filters: { startDate: "2026-01-01" },
  format: "ndjson",
  output: "out/job-runs.ndjson",
  outputPosition: { bytes: 1234 },
  recentIds: [["a", "b"], ["c"]],
  stats: { ...Checkpoint.emptyStats, records: 50, pages: 2, requests: 2, runs: 1 },
  updatedAt: "2026-12-03T00:00:00.000Z"
}

describe("CheckpointFile", () => {
  it.scoped("saves atomically, loads back, and removes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const store = yield* CheckpointFile.make(dir)
      assert.isTrue(Option.isNone(yield* store.load("job-runs")))
      yield* store.save(sample)
      yield* store.save({ ...sample, nextPage: 4 })
      const loaded = yield* store.load("job-runs")
      assert.deepStrictEqual(Option.getOrUndefined(loaded), { ...sample, nextPage: 4 })
      assert.deepStrictEqual(NodeFs.readdirSync(dir), [".figgro-checkpoint.job-runs.json"])
      yield* store.remove("job-runs")
      yield* store.remove("job-runs")
      assert.deepStrictEqual(NodeFs.readdirSync(dir), [])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a corrupt or truncated file is a CheckpointError naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const store = yield* CheckpointFile.make(dir)
      const path = CheckpointFile.pathOf(dir, "job-runs")
      NodeFs.writeFileSync(path, Checkpoint.encode(sample).slice(0, 100))
      const truncated = yield* Effect.flip(store.load("job-runs"))
      assert.strictEqual(truncated._tag, "CheckpointError")
      assert.include(truncated.message, path)
      assert.match(truncated.message, /corrupt/)
      NodeFs.writeFileSync(path, JSON.stringify({ ...sample, nextPage: 0 }))
      const invalid = yield* Effect.flip(store.load("job-runs"))
      assert.match(invalid.message, /nextPage/)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`
const data = Array.from({ length: 70 }, (_, i) => ({ id: uuid(i + 1), jobNumber: `JR-${i + 1}`, note: `a, "b"\n${i}` }))

const server = () => {
  const state = { requests: [] as Array<number>, failAt: 0 }
  const layer = FiggroTest.layer((request) =>
    Effect.sync(() => {
      const page = Number(request.query.get("page"))
      state.requests.push(page)
      if (page === state.failAt) return MockHttp.json(401, { code: "UNAUTHORIZED", message: "expired" })
      return MockHttp.json(200, {
        page,
        page_size: 25,
        total_records: data.length,
        total_pages: Math.ceil(data.length / 25),
        data: data.slice((page - 1) * 25, page * 25)
      })
    })
  )
  return { state, layer }
}

describe("Export to files", () => {
  for (const make of [NdjsonSink.make, CsvSink.make, SqliteSink.make]) {
    it.scoped(`killed after a page and resumed: every record once, no written page refetched (${make === NdjsonSink.make ? "ndjson" : make === CsvSink.make ? "csv" : "sqlite"})`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const sink = yield* make(dir)
        const checkpoints = yield* CheckpointFile.make(dir)
        const { layer, state } = server()
        const options = { endpoint: Endpoints.jobRuns, sink, checkpoints }

        state.failAt = 3
        const failed = yield* Effect.either(Export.run(options).pipe(Effect.provide(layer)))
        assert.isTrue(Either.isLeft(failed))
        // what a kill -9 in the middle of page 3's write leaves behind
        if (sink.format !== "sqlite") {
          NodeFs.appendFileSync(`${dir}/job-runs.${sink.format}`, `{"id":"${uuid(51)}","jobNu${"x".repeat(10_000)}`)
        }
        state.failAt = 0
        state.requests = []
        const summary = yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(layer))
        assert.deepStrictEqual(state.requests, [3])
        assert.strictEqual(summary.records, 70)
        assert.strictEqual(summary.requests, 3)

        const text = NodeFs.readFileSync(CheckpointFile.pathOf(dir, "job-runs"), "utf8")
        assert.notInclude(text, FiggroTest.testApiKey)
        assert.strictEqual(JSON.parse(text).phase, "complete")

        if (sink.format === "ndjson") {
          const lines = NodeFs.readFileSync(`${dir}/job-runs.ndjson`, "utf8").trimEnd().split("\n")
          assert.deepStrictEqual(lines.map((line) => JSON.parse(line)), data)
        } else if (sink.format === "csv") {
          const [header, ...rows] = CsvReader.parse(NodeFs.readFileSync(`${dir}/job-runs.csv`, "utf8"))
          const note = header!.indexOf("note")
          assert.deepStrictEqual(rows.map((row) => [row[0], row[note]]), data.map((r) => [r.id, r.note]))
        } else {
          const rows = yield* Effect.scoped(
            Effect.flatMap(
              SqliteClient.make({ filename: `${dir}/figgro.sqlite` }).pipe(Effect.provide(Reactivity.layer)),
              (sql) => sql.unsafe<{ readonly _record: string }>("SELECT _record FROM job_runs ORDER BY id")
            )
          )
          assert.deepStrictEqual(rows.map((row) => JSON.parse(row._record)), data)
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  }
})
