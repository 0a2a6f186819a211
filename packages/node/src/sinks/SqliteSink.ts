/**
 * SQLite output: `<directory>/figgro.sqlite`, one table per resource, named
 * after it with `-` as `_` (`raw-materials` → `raw_materials`).
 *
 * Columns: `id` (primary key), the endpoint's other known fields (TEXT, REAL,
 * or INTEGER 0/1 for booleans; nested values as JSON text), `_record` (the
 * whole record as received, JSON: unknown fields are there, readable with
 * `json_extract`) and `_batch` (the page transaction that first wrote the
 * row). Records are upserted by id, one transaction per page.
 *
 * The position is the number of the last committed batch. A resume deletes
 * the rows first written by a later batch (committed by a run killed before
 * its checkpoint), and an upsert keeps a row's first batch, so the table
 * after a resume is exactly the table at the checkpoint; re-written pages are
 * idempotent upserts.
 *
 * @example
 * ```ts
 * const sink = yield* SqliteSink.make("out")   // needs FileSystem (NodeFileSystem.layer)
 * ```
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as FileSystem from "@effect/platform/FileSystem"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SinkPosition from "./SinkPosition.js"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import { type Checkpoint, ExportFields, ExportSink } from "@figgro/core"

export const format = "sqlite"

/** The database file every resource shares. */
export const filename = "figgro.sqlite"

/** The full record, as JSON. */
export const recordColumn = "_record"

/** The page transaction that first wrote the row. */
export const batchColumn = "_batch"

/** The SQLite sink's position: the last committed batch. */
export const Position = Schema.Struct({ batch: Schema.Int.pipe(Schema.nonNegative()) })

/** The table of a resource: its name with `-` as `_`. */
export const tableName = (resource: string): string => resource.replace(/[^A-Za-z0-9_]/g, "_")

const quote = (identifier: string): string => `"${identifier.replace(/"/g, "\"\"")}"`

const sqlType: Record<ExportFields.FieldKind, string> = {
  string: "TEXT",
  number: "REAL",
  boolean: "INTEGER",
  json: "TEXT"
}

/** A value as SQLite stores it. */
export const toSql = (value: unknown): string | number | null => {
  if (value === null || value === undefined) return null
  if (typeof value === "boolean") return value ? 1 : 0
  if (typeof value === "number" || typeof value === "string") return value
  return JSON.stringify(value)
}

/** A SQLite sink writing `<directory>/figgro.sqlite`. */
export const make = (directory: string): Effect.Effect<ExportSink.Sink, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): ExportSink.Sink => ({
    format,
    open: ({ endpoint, position }) =>
      Effect.gen(function*() {
        const resource = endpoint.name
        const path = NodePath.join(directory, filename)
        const table = tableName(resource)
        const output = `${path}#${table}`
        const fail = (message: string) => new ExportSink.SinkError({ format, resource, output, message })
        const failed = (action: string) => (error: SqlError | { readonly message: string }) =>
          fail(`Cannot ${action} ${output}: ${error.message}`)

        const resumeAt = (yield* SinkPosition.decode(Position, position, { format, resource, output }))?.batch

        yield* fs.makeDirectory(directory, { recursive: true }).pipe(Effect.mapError(failed("create the directory of")))
        const sql = yield* SqliteClient.make({ filename: path }).pipe(Effect.provide(Reactivity.layer))
        const run = (statement: string, params: ReadonlyArray<unknown> = []) =>
          sql.unsafe(statement, params as Array<any>).pipe(Effect.mapError(failed("write")))

        yield* run("PRAGMA synchronous = FULL")
        const fields = ExportFields.knownFields(endpoint.item).filter((field) => field.name !== "id")
        const columns = ["id", ...fields.map((field) => field.name), recordColumn]
        const create = `CREATE TABLE IF NOT EXISTS ${quote(table)} (id TEXT PRIMARY KEY, ${
          fields.map((field) => `${quote(field.name)} ${sqlType[field.kind]}`).join(", ")
        }${fields.length > 0 ? ", " : ""}${quote(recordColumn)} TEXT NOT NULL, ${quote(batchColumn)} INTEGER NOT NULL)`

        let batch = 0
        if (resumeAt === undefined) {
          yield* run(`DROP TABLE IF EXISTS ${quote(table)}`)
          yield* run(create)
        } else {
          const exists = yield* run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
          if (exists.length === 0 && resumeAt > 0) {
            return yield* Effect.fail(
              fail(`Cannot resume: the table is missing, but the checkpoint says ${resumeAt} pages were committed. Start afresh.`)
            )
          }
          yield* run(create)
          yield* run(`DELETE FROM ${quote(table)} WHERE ${quote(batchColumn)} > ?`, [resumeAt])
          batch = resumeAt
        }

        const placeholders = `(${columns.map(() => "?").join(", ")}, ?)`
        const upsertHead = `INSERT INTO ${quote(table)} (${[...columns, batchColumn].map(quote).join(", ")}) VALUES `
        const upsertTail = ` ON CONFLICT (id) DO UPDATE SET ${
          columns.filter((name) => name !== "id").map((name) => `${quote(name)} = excluded.${quote(name)}`).join(", ")
        }`

        let pending: Array<ExportSink.ExportRecord> = []
        const session: ExportSink.SinkSession = {
          output,
          write: (records) => Effect.sync(() => void pending.push(...records)),
          flush: Effect.suspend(() => {
            const records = pending
            pending = []
            const next = batch + 1
            const params: Array<unknown> = []
            for (const record of records) {
              params.push(String(record["id"]))
              for (const field of fields) params.push(toSql(record[field.name]))
              params.push(JSON.stringify(record), next)
            }
            const write = records.length === 0 ?
              Effect.void :
              run(upsertHead + records.map(() => placeholders).join(", ") + upsertTail, params)
            return sql.withTransaction(write).pipe(
              Effect.mapError(failed("commit to")),
              Effect.map((): Checkpoint.SinkPosition => {
                batch = next
                return { batch }
              })
            )
          }),
          ids: Stream.unwrap(
            Effect.map(
              run(`SELECT id FROM ${quote(table)} ORDER BY rowid`),
              (rows) => Stream.fromIterable(rows.map((row) => String((row as { readonly id: unknown }).id)))
            )
          )
        }
        return session
      })
  }))
