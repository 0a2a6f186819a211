import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import { Endpoints } from "@figgro/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { type Checkpoint, ExportSink } from "@figgro/core"
import * as CsvReader from "./CsvReader.js"
import * as CsvSink from "./CsvSink.js"
import * as NdjsonSink from "./NdjsonSink.js"
import * as SqliteSink from "./SqliteSink.js"

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`

/** Raw materials: all fields but `id` optional, so records can be awkward. */
const page1: Array<ExportSink.ExportRecord> = [
  {
    id: uuid(1),
    materialName: "Oil, \"refined\"",
    sku: "RM-1",
    costPrice: 12.5,
    isActive: true,
    supplier: null,
    lotNumber: "L1\nL2",
    grade: "A"
  },
  { id: uuid(2), materialName: "Hemp\r\nbiomass", isActive: false, nested: { a: [1, 2] }, grade: "B" }
]
const page2: Array<ExportSink.ExportRecord> = [
  { id: uuid(3), materialName: "Isolate", stockOnHand: 3, addedInV13: "late, field" },
  { id: uuid(4), materialName: "", costPrice: 0 }
]

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "figgro-sinks-" }))

const open = (sink: ExportSink.Sink, position: Option.Option<Checkpoint.SinkPosition>) =>
  sink.open({ endpoint: Endpoints.rawMaterials, position })

const writePages = (session: ExportSink.SinkSession, pages: ReadonlyArray<ReadonlyArray<ExportSink.ExportRecord>>) =>
  Effect.forEach(pages, (page) => Effect.zipRight(session.write(page), session.flush))

const collectIds = (session: ExportSink.SinkSession) =>
  Effect.map(Stream.runCollect(session.ids), (chunk) => [...chunk])

describe("NdjsonSink", () => {
  it.scoped("writes one JSON record a line, fsynced per page; position is the byte length", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* NdjsonSink.make(dir)
      const positions = yield* Effect.scoped(
        Effect.flatMap(open(sink, Option.none()), (session) =>
          Effect.tap(writePages(session, [page1, page2]), () =>
            Effect.flatMap(collectIds(session), (ids) =>
              Effect.sync(() => assert.deepStrictEqual(ids, [1, 2, 3, 4].map(uuid)))))
        )
      )
      const path = NodePath.join(dir, "raw-materials.ndjson")
      const text = NodeFs.readFileSync(path, "utf8")
      assert.deepStrictEqual(text.trimEnd().split("\n").map((line) => JSON.parse(line)), [...page1, ...page2])
      assert.deepStrictEqual(positions[1], { bytes: Buffer.byteLength(text) })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a resume truncates a partial line written after the checkpoint", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* NdjsonSink.make(dir)
      const path = NdjsonSink.pathOf(dir, "raw-materials")
      const [position] = yield* Effect.scoped(Effect.flatMap(open(sink, Option.none()), (s) => writePages(s, [page1])))
      // a run killed mid-page: half a line after the checkpointed position
      NodeFs.appendFileSync(path, `{"id":"${uuid(3)}","materialName":"Iso${"x".repeat(10_000)}`)
      yield* Effect.scoped(Effect.flatMap(open(sink, Option.some(position!)), (s) => writePages(s, [page2])))
      const lines = NodeFs.readFileSync(path, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line))
      assert.deepStrictEqual(lines, [...page1, ...page2])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses to resume when the file is shorter than the checkpoint", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* NdjsonSink.make(dir)
      const error = yield* Effect.flip(Effect.scoped(open(sink, Option.some({ bytes: 100 }))))
      assert.strictEqual(error._tag, "SinkError")
      assert.match(error.message, /missing/)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("CsvReader", () => {
  it("reads quoted commas, doubled quotes and line breaks, in any chunking", () => {
    const text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"1\r\n2\"\r\n,,\r\nlast,row,\"\"\r\n"
    const expected = [["a", "b", "c"], ["x, y", "say \"hi\"", "1\r\n2"], ["", "", ""], ["last", "row", ""]]
    assert.deepStrictEqual(CsvReader.parse(text), expected)
    for (const size of [1, 2, 3, 7]) {
      const parser = CsvReader.makeParser()
      const records: Array<Array<string>> = []
      for (let i = 0; i < text.length; i += size) records.push(...parser.push(text.slice(i, i + size)))
      records.push(...parser.end())
      assert.deepStrictEqual(records, expected, `chunks of ${size}`)
    }
    assert.deepStrictEqual(CsvReader.parse("a,b"), [["a", "b"]])
  })
})

describe("CsvSink", () => {
  it.scoped("writes RFC 4180 rows under a header of the known fields, first-page extras, then _extra", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* CsvSink.make(dir)
      const ids = yield* Effect.scoped(
        Effect.flatMap(open(sink, Option.none()), (s) => Effect.zipRight(writePages(s, [page1, page2]), collectIds(s)))
      )
      assert.deepStrictEqual(ids, [1, 2, 3, 4].map(uuid))

      const text = NodeFs.readFileSync(CsvSink.pathOf(dir, "raw-materials"), "utf8")
      assert.include(text, "\"Oil, \"\"refined\"\"\"")
      assert.include(text, "\"L1\nL2\"")
      assert.isTrue(text.endsWith("\r\n"))
      const [header, ...rows] = CsvReader.parse(text)
      const known = [
        "id", "materialName", "sku", "materialType", "supplier", "unitOfMeasurement", "costPrice", "stockOnHand",
        "reservedQuantity", "availableQuantity", "minimumStockLevel", "lotNumber", "expiryDate", "isActive",
        "isArchived", "createdAt", "updatedAt"
      ]
      assert.deepStrictEqual(header, [...known, "grade", "nested", "_extra"])
      const read = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])))
      assert.strictEqual(read.length, 4)
      assert.deepStrictEqual(
        [read[0]!["materialName"], read[0]!["costPrice"], read[0]!["isActive"], read[0]!["supplier"], read[0]!["lotNumber"]],
        ["Oil, \"refined\"", "12.5", "true", "", "L1\nL2"]
      )
      assert.strictEqual(read[1]!["materialName"], "Hemp\r\nbiomass")
      assert.deepStrictEqual(JSON.parse(read[1]!["nested"]!), { a: [1, 2] })
      assert.strictEqual(read[1]!["_extra"], "")
      // a field first seen after the header was written is kept in _extra
      assert.deepStrictEqual(JSON.parse(read[2]!["_extra"]!), { addedInV13: "late, field" })
      assert.strictEqual(read[3]!["materialName"], "")
      assert.strictEqual(read[3]!["costPrice"], "0")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("an empty export still writes the header; a resume truncates a partial row and keeps the columns", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* CsvSink.make(dir)
      const path = CsvSink.pathOf(dir, "raw-materials")
      const [empty, position] = yield* Effect.scoped(
        Effect.flatMap(open(sink, Option.none()), (s) => writePages(s, [[], page1]))
      )
      assert.deepStrictEqual((empty as { columns: Array<string> }).columns.at(-1), "_extra")
      NodeFs.appendFileSync(path, `${uuid(3)},"Isol${"x".repeat(10_000)}`)
      yield* Effect.scoped(Effect.flatMap(open(sink, Option.some(position!)), (s) => writePages(s, [page2])))
      const [header, ...rows] = CsvReader.parse(NodeFs.readFileSync(path, "utf8"))
      assert.deepStrictEqual(header, (position as { columns: Array<string> }).columns)
      assert.deepStrictEqual(rows.map((row) => row[0]), [1, 2, 3, 4].map(uuid))
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("SqliteSink", () => {
  const query = (path: string, statement: string) =>
    Effect.scoped(
      Effect.flatMap(
        SqliteClient.make({ filename: path }).pipe(Effect.provide(Reactivity.layer)),
        (sql) => sql.unsafe<Record<string, unknown>>(statement)
      )
    )

  it.scoped("upserts by id into a table named after the resource, known fields as columns plus the full record", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* SqliteSink.make(dir)
      const ids = yield* Effect.scoped(
        Effect.flatMap(open(sink, Option.none()), (s) => Effect.zipRight(writePages(s, [page1, page2]), collectIds(s)))
      )
      assert.deepStrictEqual(ids, [1, 2, 3, 4].map(uuid))
      const path = NodePath.join(dir, "figgro.sqlite")
      const rows = yield* query(path, "SELECT * FROM raw_materials ORDER BY id")
      assert.strictEqual(rows.length, 4)
      assert.deepStrictEqual(rows.map((row) => JSON.parse(row["_record"] as string)), [...page1, ...page2])
      assert.strictEqual(rows[0]!["materialName"], "Oil, \"refined\"")
      assert.strictEqual(rows[0]!["costPrice"], 12.5)
      assert.strictEqual(rows[0]!["isActive"], 1)
      assert.strictEqual(rows[0]!["supplier"], null)
      assert.strictEqual(rows[1]!["isActive"], 0)
      assert.deepStrictEqual(rows.map((row) => row["_batch"]), [1, 1, 2, 2])
      const extra = yield* query(path, "SELECT json_extract(_record, '$.addedInV13') AS v FROM raw_materials WHERE id = '" + uuid(3) + "'")
      assert.strictEqual(extra[0]!["v"], "late, field")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a resume removes rows first written after the checkpoint and keeps earlier ones", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* SqliteSink.make(dir)
      const changed = { ...page1[1]!, materialName: "changed" }
      const [position] = yield* Effect.scoped(
        Effect.flatMap(open(sink, Option.none()), (s) => writePages(s, [page1, [...page2, changed]]))
      )
      assert.deepStrictEqual(position, { batch: 1 })
      // resume at batch 1: page 2's new rows go, the re-written row from page 1 stays
      yield* Effect.scoped(open(sink, Option.some(position!)))
      const path = NodePath.join(dir, "figgro.sqlite")
      const rows = yield* query(path, "SELECT id FROM raw_materials ORDER BY id")
      assert.deepStrictEqual(rows.map((row) => row["id"]), [uuid(1), uuid(2)])
      // writing the page again is idempotent
      yield* Effect.scoped(Effect.flatMap(open(sink, Option.some(position!)), (s) => writePages(s, [page2, page2])))
      const again = yield* query(path, "SELECT id FROM raw_materials ORDER BY id")
      assert.deepStrictEqual(again.map((row) => row["id"]), [1, 2, 3, 4].map(uuid))
      // a fresh open starts an empty table
      yield* Effect.scoped(open(sink, Option.none()))
      assert.deepStrictEqual(yield* query(path, "SELECT id FROM raw_materials"), [])
      assert.strictEqual(SqliteSink.tableName("product-job-run-tickets"), "product_job_run_tickets")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
