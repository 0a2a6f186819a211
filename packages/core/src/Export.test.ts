import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Checkpoint from "./Checkpoint.js"
import * as Endpoints from "./Endpoints.js"
import * as Export from "./Export.js"
import * as ExportSink from "./ExportSink.js"
import * as FiggroTest from "./testing/FiggroTest.js"
import * as MockHttp from "./testing/MockHttp.js"

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`

interface Row {
  readonly id: string
  readonly jobNumber: string
  readonly [extra: string]: unknown
}

const row = (n: number): Row => ({ id: uuid(n), jobNumber: `JR-${n}`, futureField: { n } })

/**
 * A tiny offset-paginated server over a live array. `before(page, data)` runs
 * before each page is answered (to insert or delete records: drift);
 * `fail(page, attempt)` answers 403 instead.
 */
const makeServer = (count: number, options: { readonly pageSize?: number } = {}) => {
  const state = {
    data: Array.from({ length: count }, (_, i) => row(i + 1)),
    pageSize: options.pageSize ?? 25,
    requests: [] as Array<number>,
    before: (_page: number, _data: Array<Row>): void => {},
    fail: (_page: number): boolean => false
  }
  const handler: MockHttp.MockHandler = (request) =>
    Effect.sync(() => {
      const page = Number(request.query.get("page") ?? "1")
      state.requests.push(page)
      if (state.fail(page)) return MockHttp.json(403, { code: "FORBIDDEN", message: "no access" })
      state.before(page, state.data)
      const size = state.pageSize
      const total = state.data.length
      return MockHttp.json(200, {
        page,
        page_size: size,
        total_records: total,
        total_pages: Math.ceil(total / size),
        data: state.data.slice((page - 1) * size, page * size)
      })
    })
  return { state, layer: FiggroTest.layer(handler) }
}

const ids = (records: ReadonlyArray<ExportSink.ExportRecord>) => records.map((r) => r["id"] as string)
const assertNoDuplicates = (records: ReadonlyArray<ExportSink.ExportRecord>) =>
  assert.strictEqual(new Set(ids(records)).size, records.length, "duplicate ids in the output")


/** An export of `records` job runs from a fake server into memory, with an in-memory checkpoint store. */
const jobRunsExport = (records: number) => {
  const server = makeServer(records)
  const memory = ExportSink.makeMemory()
  const store = Checkpoint.makeMemoryStore()
  const options = { endpoint: Endpoints.jobRuns, sink: memory.sink, checkpoints: store }
  return { memory, options, server, store }
}
describe("Export", () => {
  it.effect("exports every record of every page, as received, and marks the checkpoint complete", () =>
    Effect.gen(function*() {
      const server = makeServer(60)
      const memory = ExportSink.makeMemory()
      const store = Checkpoint.makeMemoryStore()
      const progress: Array<Export.ExportProgress> = []
      const summary = yield* Export.run({
        endpoint: Endpoints.jobRuns,
        sink: memory.sink,
        checkpoints: store,
        onProgress: (p) => Effect.sync(() => void progress.push(p))
      }).pipe(Effect.provide(server.layer))

      assert.deepStrictEqual(memory.records("job-runs"), server.state.data)
      assert.deepStrictEqual(server.state.requests, [1, 2, 3])
      assert.strictEqual(summary.status, "completed")
      assert.strictEqual(summary.records, 60)
      assert.strictEqual(summary.pages, 3)
      assert.strictEqual(summary.requests, 3)
      assert.strictEqual(summary.retries, 0)
      assert.strictEqual(summary.drift, undefined)
      assert.strictEqual(summary.resumed, false)
      assert.strictEqual(summary.output, "memory:job-runs")
      assert.deepStrictEqual(progress.map((p) => [p.phase, p.page, p.totalPages, p.records]), [
        ["walk", 0, 0, 0],
        ["walk", 1, 3, 25],
        ["walk", 2, 3, 50],
        ["walk", 3, 3, 60],
        ["complete", 3, 3, 60]
      ])
      assert.strictEqual(progress[3]!.budget?.limit, 1000)
      assert.strictEqual(progress[3]!.budget?.remaining, 997)
      const saved = yield* store.load("job-runs")
      assert.isTrue(Option.isSome(saved) && saved.value.phase === "complete")
    }))

  it.effect("an empty resource costs one request and writes nothing", () =>
    Effect.gen(function*() {
      const server = makeServer(0)
      const memory = ExportSink.makeMemory()
      const summary = yield* Export.run({
        endpoint: Endpoints.jobRuns,
        sink: memory.sink,
        checkpoints: Checkpoint.makeMemoryStore()
      }).pipe(Effect.provide(server.layer))
      assert.strictEqual(summary.records, 0)
      assert.strictEqual(summary.requests, 1)
      assert.deepStrictEqual(memory.records("job-runs"), [])
    }))

  it.effect("resumes after a failure at page k without refetching a written page", () =>
    Effect.gen(function*() {
      const { memory, options, server } = jobRunsExport(110)

      server.state.fail = (page) => page === 3
      const failed = yield* Effect.either(Export.run(options).pipe(Effect.provide(server.layer)))
      assert.isTrue(Either.isLeft(failed) && failed.left._tag === "Forbidden")
      assert.strictEqual(memory.records("job-runs").length, 50)
      assert.deepStrictEqual(server.state.requests, [1, 2, 3])

      server.state.fail = () => false
      server.state.requests = []
      const summary = yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer))

      assert.deepStrictEqual(server.state.requests, [3, 4, 5])
      assert.deepStrictEqual(memory.records("job-runs"), server.state.data)
      assert.strictEqual(summary.resumed, true)
      assert.strictEqual(summary.resumedAtPage, 3)
      assert.strictEqual(summary.records, 110)
      assert.strictEqual(summary.pages, 5)
      assert.strictEqual(summary.requests, 5)
      assert.strictEqual(summary.runs, 2)
      assert.deepStrictEqual(memory.opens.map((o) => Option.getOrUndefined(o.position)), [undefined, { records: 50 }])
    }))

  it.effect("a crash after the output is flushed but before the checkpoint is saved writes no record twice", () =>
    Effect.gen(function*() {
      const server = makeServer(75)
      const memory = ExportSink.makeMemory()
      const store = Checkpoint.makeMemoryStore()
      let saves = 0
      const crashing: Checkpoint.CheckpointStore = {
        ...store,
        save: (checkpoint) =>
          ++saves === 2 ?
            Effect.fail(new Checkpoint.CheckpointError({ resource: checkpoint.resource, message: "killed" })) :
            store.save(checkpoint)
      }
      const options = { endpoint: Endpoints.jobRuns, sink: memory.sink }
      const failed = yield* Effect.either(
        Export.run({ ...options, checkpoints: crashing }).pipe(Effect.provide(server.layer))
      )
      assert.isTrue(Either.isLeft(failed))
      // page 2 reached the output, but its checkpoint did not
      assert.strictEqual(memory.records("job-runs").length, 50)

      server.state.requests = []
      yield* Export.run({ ...options, checkpoints: store, resume: true }).pipe(Effect.provide(server.layer))
      assert.deepStrictEqual(server.state.requests, [2, 3])
      assert.deepStrictEqual(memory.records("job-runs"), server.state.data)
    }))

  it.effect("refuses to resume with other filters, another format or another page size", () =>
    Effect.gen(function*() {
      const server = makeServer(60)
      const memory = ExportSink.makeMemory()
      const store = Checkpoint.makeMemoryStore()
      const options = {
        endpoint: Endpoints.jobRuns,
        sink: memory.sink,
        checkpoints: store,
        filters: { startDate: "2026-01-01" }
      }
      server.state.fail = (page) => page === 2
      yield* Effect.either(Export.run(options).pipe(Effect.provide(server.layer)))
      server.state.fail = () => false

      const filters = yield* Effect.flip(
        Export.run({ ...options, filters: { startDate: "2026-02-01" }, resume: true }).pipe(Effect.provide(server.layer))
      )
      assert.strictEqual(filters._tag, "CheckpointMismatch")
      assert.strictEqual(filters._tag === "CheckpointMismatch" && filters.field, "filters")

      const format = yield* Effect.flip(
        Export.run({ ...options, sink: { ...memory.sink, format: "csv" }, resume: true }).pipe(
          Effect.provide(server.layer)
        )
      )
      assert.strictEqual(format._tag === "CheckpointMismatch" && format.field, "format")

      server.state.pageSize = 10
      const pageSize = yield* Effect.flip(Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer)))
      assert.strictEqual(pageSize._tag === "CheckpointMismatch" && pageSize.field, "pageSize")
      // nothing was written past the checkpoint
      assert.strictEqual(memory.records("job-runs").length, 25)

      // the same filters, written another way, resume fine
      server.state.pageSize = 25
      const summary = yield* Export.run({ ...options, filters: { startDate: new Date("2026-01-01T00:00:00Z") }, resume: true })
        .pipe(Effect.either, Effect.provide(server.layer))
      // a Date normalises to a date-time, not the same text as the date: refused rather than guessed
      assert.isTrue(Either.isLeft(summary))
      yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer))
      assert.deepStrictEqual(memory.records("job-runs"), server.state.data)
    }))

  it.effect("drops the records that insertions at the front repeat across pages, and reports the drift", () =>
    Effect.gen(function*() {
      const server = makeServer(60)
      const original = [...server.state.data]
      let inserted = 0
      server.state.before = (page, data) => {
        if (page === 2) data.unshift(row(1000), row(1001), row(1002))
        if (page === 3) data.unshift(row(1003))
        inserted = data.length - 60
      }
      const memory = ExportSink.makeMemory()
      const summary = yield* Export.run({
        endpoint: Endpoints.jobRuns,
        sink: memory.sink,
        checkpoints: Checkpoint.makeMemoryStore()
      }).pipe(Effect.provide(server.layer))

      const records = memory.records("job-runs")
      assertNoDuplicates(records)
      assert.deepStrictEqual(new Set(ids(records)), new Set(ids(original)))
      assert.strictEqual(inserted, 4)
      assert.strictEqual(summary.duplicatesSkipped, 3 + 1)
      assert.deepStrictEqual(summary.drift, {
        from: 60,
        to: 64,
        changes: [{ page: 2, from: 60, to: 63, phase: "walk" }, { page: 3, from: 63, to: 64, phase: "walk" }]
      })
    }))

  it.effect("a resumed export still drops repeats at the page boundary (the window is in the checkpoint)", () =>
    Effect.gen(function*() {
      const { memory, options, server } = jobRunsExport(75)
      server.state.fail = (page) => page === 3
      yield* Effect.either(Export.run(options).pipe(Effect.provide(server.layer)))
      server.state.fail = () => false
      server.state.data.unshift(row(500), row(501))

      const summary = yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer))
      const records = memory.records("job-runs")
      assertNoDuplicates(records)
      assert.strictEqual(records.length, 75)
      assert.strictEqual(summary.duplicatesSkipped, 2)
      assert.deepStrictEqual(summary.drift?.changes, [{ page: 3, from: 75, to: 77, phase: "walk" }])
    }))

  /** 60 job runs; after page 1 is written its first record is deleted: record 26 moves to page 1 and is never seen. */
  const deletionHidesRecord26 = () => {
    const setup = jobRunsExport(60)
    setup.server.state.before = (page, data) => {
      if (page === 2 && data[0]!.id === uuid(1)) data.shift()
    }
    return setup
  }

  it.effect("the verify pass adds a record that a deletion shifted past the walk", () =>
    Effect.gen(function*() {
      const { memory, options, server } = deletionHidesRecord26()

      const plain = yield* Export.run(options).pipe(Effect.provide(server.layer))
      assert.notInclude(ids(memory.records("job-runs")), uuid(26))
      assert.strictEqual(plain.records, 59)

      server.state.data = Array.from({ length: 60 }, (_, i) => row(i + 1))
      server.state.requests = []
      const verified = yield* Export.run({ ...options, verify: true }).pipe(Effect.provide(server.layer))
      const records = memory.records("job-runs")
      assertNoDuplicates(records)
      assert.include(ids(records), uuid(26))
      assert.include(ids(records), uuid(1))
      assert.strictEqual(records.length, 60)
      assert.strictEqual(verified.recovered, 1)
      assert.strictEqual(verified.verified, true)
      assert.deepStrictEqual(server.state.requests, [1, 2, 3, 1, 2, 3])
      assert.strictEqual(verified.requests, 6)
      assert.deepStrictEqual(verified.drift?.changes, [{ page: 2, from: 60, to: 59, phase: "walk" }])
    }))

  it.effect("a verify pass interrupted by a failure resumes in the verify pass", () =>
    Effect.gen(function*() {
      const server = makeServer(60)
      // the walk costs requests 1–3; fail page 3 of the verify pass
      server.state.fail = (page) => page === 3 && server.state.requests.length > 3
      const memory = ExportSink.makeMemory()
      const store = Checkpoint.makeMemoryStore()
      const options = { endpoint: Endpoints.jobRuns, sink: memory.sink, checkpoints: store, verify: true }
      server.state.before = (page, data) => {
        if (page === 2 && data[0]!.id === uuid(1)) data.shift()
      }
      const failed = yield* Effect.either(Export.run(options).pipe(Effect.provide(server.layer)))
      assert.isTrue(Either.isLeft(failed))
      const saved = yield* store.load("job-runs")
      assert.isTrue(Option.isSome(saved) && saved.value.phase === "verify" && saved.value.nextPage === 3)

      server.state.fail = () => false
      server.state.requests = []
      const summary = yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer))
      assert.deepStrictEqual(server.state.requests, [3])
      assert.strictEqual(summary.resumedPhase, "verify")
      assert.strictEqual(summary.recovered, 1)
      const records = memory.records("job-runs")
      assertNoDuplicates(records)
      assert.strictEqual(records.length, 60)
    }))

  it.effect("reads ahead with concurrency and still writes in page order", () =>
    Effect.gen(function*() {
      const server = makeServer(240)
      const memory = ExportSink.makeMemory()
      const summary = yield* Export.run({
        endpoint: Endpoints.jobRuns,
        sink: memory.sink,
        checkpoints: Checkpoint.makeMemoryStore(),
        concurrency: 4
      }).pipe(Effect.provide(server.layer))
      assert.deepStrictEqual(memory.records("job-runs"), server.state.data)
      assert.strictEqual(summary.requests, 10)
      assert.deepStrictEqual([...server.state.requests].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    }))

  it.effect("resuming a complete export answers its summary without a request", () =>
    Effect.gen(function*() {
      const server = makeServer(30)
      const memory = ExportSink.makeMemory()
      const options = { endpoint: Endpoints.jobRuns, sink: memory.sink, checkpoints: Checkpoint.makeMemoryStore() }
      yield* Export.run(options).pipe(Effect.provide(server.layer))
      server.state.requests = []
      const again = yield* Export.run({ ...options, resume: true }).pipe(Effect.provide(server.layer))
      assert.strictEqual(again.status, "already-complete")
      assert.strictEqual(again.records, 30)
      assert.deepStrictEqual(server.state.requests, [])
    }))

  it.effect("resuming a complete, unverified export with verify runs the verify pass over its output", () =>
    Effect.gen(function*() {
      const { memory, options, server } = deletionHidesRecord26()
      yield* Export.run(options).pipe(Effect.provide(server.layer))
      assert.notInclude(ids(memory.records("job-runs")), uuid(26))

      server.state.requests = []
      const verified = yield* Export.run({ ...options, resume: true, verify: true }).pipe(Effect.provide(server.layer))
      assert.strictEqual(verified.status, "completed")
      assert.strictEqual(verified.resumedPhase, "verify")
      assert.strictEqual(verified.recovered, 1)
      assert.isTrue(verified.verified)
      assert.deepStrictEqual(server.state.requests, [1, 2, 3])
      const records = memory.records("job-runs")
      assertNoDuplicates(records)
      assert.strictEqual(records.length, 60)
      assert.include(ids(records), uuid(26))

      server.state.requests = []
      const again = yield* Export.run({ ...options, resume: true, verify: true }).pipe(Effect.provide(server.layer))
      assert.strictEqual(again.status, "already-complete")
      assert.deepStrictEqual(server.state.requests, [])
    }))

  it.effect("a corrupt checkpoint is a clear CheckpointError", () =>
    Effect.gen(function*() {
      const server = makeServer(30)
      const store = Checkpoint.makeMemoryStore()
      store.texts.set("job-runs", `{"version":1,"resource":"job-runs","nextPage":"three"}`)
      const error = yield* Effect.flip(
        Export.run({
          endpoint: Endpoints.jobRuns,
          sink: ExportSink.makeMemory().sink,
          checkpoints: store,
          resume: true
        }).pipe(Effect.provide(server.layer))
      )
      assert.strictEqual(error._tag, "CheckpointError")
      assert.match(error.message, /corrupt/)
      store.texts.set("job-runs", "{ not json")
      const notJson = yield* Effect.flip(store.load("job-runs"))
      assert.match(notJson.message, /corrupt/)
    }))

  it.effect("the checkpoint never contains the API key", () =>
    Effect.gen(function*() {
      const server = makeServer(60)
      const store = Checkpoint.makeMemoryStore()
      const texts: Array<string> = []
      const spying: Checkpoint.CheckpointStore = {
        ...store,
        save: (checkpoint) =>
          Effect.zipRight(store.save(checkpoint), Effect.sync(() => void texts.push(store.texts.get("job-runs")!)))
      }
      yield* Export.run({ endpoint: Endpoints.jobRuns, sink: ExportSink.makeMemory().sink, checkpoints: spying })
        .pipe(Effect.provide(server.layer))
      assert.isAbove(texts.length, 0)
      for (const text of texts) {
        assert.notInclude(text, FiggroTest.testApiKey)
        assert.notInclude(text, "fgr_")
      }
    }))
})
