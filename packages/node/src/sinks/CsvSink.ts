/**
 * CSV output (RFC 4180: CRLF line ends, quoted when needed):
 * `<directory>/<resource>.csv`.
 *
 * Columns: the endpoint's known fields (from its item schema, in declaration
 * order), then the unknown fields seen in the first page written (in order
 * of appearance), then `_extra`. The header is written once, with the first
 * page, and never changes, because a CSV header cannot grow once rows
 * follow it. A field that first appears later goes to `_extra`: a JSON
 * object of the record's fields that have no column (empty when none), so
 * no field is lost. Nested values are written as JSON, `null` and missing
 * fields as an empty cell, booleans as `true`/`false`.
 *
 * Each page is fsynced; the position is the byte length (and the columns),
 * and a resume truncates the file back to it.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { stringify } from "csv-stringify/sync"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SinkPosition from "./SinkPosition.js"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import { type Checkpoint, ExportFields, ExportSink } from "@figgro/core"
import * as CsvReader from "./CsvReader.js"
import * as FileOutput from "./FileOutput.js"

export const format = "csv"

/** The column holding, as JSON, the fields of a record that have no column of their own. */
export const extraColumn = "_extra"

/** The CSV sink's position: bytes written, and the header's columns once written. */
export const Position = Schema.Struct({
  bytes: Schema.Int.pipe(Schema.nonNegative()),
  columns: Schema.Array(Schema.String)
})

/** The file a resource is written to. */
export const pathOf = (directory: string, resource: string): string => NodePath.join(directory, `${resource}.csv`)

const csvOptions = { record_delimiter: "\r\n", quote_record_delimiter: true } as const

/** One cell: strings as they are, numbers and booleans as text, nested values as JSON, null and missing as empty. */
export const cell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  return JSON.stringify(value)
}

/** A CSV sink writing into `directory`. */
export const make = (directory: string): Effect.Effect<ExportSink.Sink, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): ExportSink.Sink => ({
    format,
    open: ({ endpoint, position }) =>
      Effect.gen(function*() {
        const resource = endpoint.name
        const path = pathOf(directory, resource)
        const resumeAt = yield* SinkPosition.decode(Position, position, { format, resource, output: path })
        const file = yield* FileOutput.open(fs, path, resumeAt?.bytes, { format, resource })
        const known = ExportFields.knownFields(endpoint.item).map((field) => field.name)
        let columns: ReadonlyArray<string> = resumeAt !== undefined && resumeAt.columns.length > 0 ? resumeAt.columns : []
        let pending: Array<ExportSink.ExportRecord> = []

        const header = (records: ReadonlyArray<ExportSink.ExportRecord>): ReadonlyArray<string> => {
          const names = new Set(known)
          for (const record of records) {
            for (const name of Object.keys(record)) if (name !== extraColumn) names.add(name)
          }
          return [...names, extraColumn]
        }

        const row = (record: ExportSink.ExportRecord): Array<string> => {
          const values = columns.map((name) => (name === extraColumn ? "" : cell(record[name])))
          const extra: Record<string, unknown> = {}
          let hasExtra = false
          for (const name of Object.keys(record)) {
            if (name === extraColumn || !columns.includes(name)) {
              extra[name] = record[name]
              hasExtra = true
            }
          }
          const at = columns.indexOf(extraColumn)
          if (hasExtra && at >= 0) values[at] = JSON.stringify(extra)
          return values
        }

        const flushText = (): string => {
          let text = ""
          if (columns.length === 0) {
            columns = header(pending)
            text += stringify([columns], csvOptions)
          }
          if (pending.length > 0) text += stringify(pending.map(row), csvOptions)
          pending = []
          return text
        }

        const session: ExportSink.SinkSession = {
          output: path,
          write: (records) => Effect.sync(() => void pending.push(...records)),
          flush: Effect.suspend(() => {
            const text = flushText()
            return Effect.zipRight(text === "" ? Effect.void : file.append(text), file.sync)
          }).pipe(Effect.map((bytes): Checkpoint.SinkPosition => ({ bytes, columns: [...columns] }))),
          ids: Stream.suspend(() => {
            const parser = CsvReader.makeParser()
            const idColumn = columns.indexOf("id")
            let first = true
            return file.read.pipe(
              Stream.map((chunk) => parser.push(chunk)),
              Stream.concat(Stream.sync(() => parser.end())),
              Stream.flattenIterables,
              Stream.filter(() => {
                const header = first
                first = false
                return !header
              }),
              Stream.map((record) => record[idColumn] ?? "")
            )
          })
        }
        return session
      })
  }))
