/**
 * Reading what `figgro export` wrote, for end-to-end tests: NDJSON lines,
 * CSV rows (with `CsvReader`), SQLite rows (with better-sqlite3 directly,
 * not through the sink's own client), checkpoint files, and a byte scan of
 * every file in a directory.
 */
import type { Endpoints } from "@figgro/core"
import type { SimulatorShape } from "@figgro/core/testing"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as CheckpointFile from "../CheckpointFile.js"
import * as CsvReader from "../sinks/CsvReader.js"

export type Row = Record<string, unknown>

/** A fresh temporary directory, removed with the scope. */
export const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))),
    (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
  )

/** Every record the simulator holds for `resource` now, in page order. */
export const groundTruth = (sim: SimulatorShape, resource: Endpoints.ResourceName) =>
  Effect.map(Effect.orDie(Stream.runCollect(sim.groundTruth(resource))), Chunk.toArray)

/** The records of an NDJSON file. */
export const readNdjson = (path: string): Array<Row> =>
  NodeFs.readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Row)

/** The rows of a CSV file as objects keyed by the header's columns (cells as text). */
export const readCsv = (path: string): Array<Record<string, string>> => {
  const [header, ...rows] = CsvReader.parse(NodeFs.readFileSync(path, "utf8"))
  return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i] ?? ""])))
}

interface SqliteDatabase {
  prepare(sql: string): { all(...params: ReadonlyArray<unknown>): Array<Record<string, unknown>> }
  close(): void
}
type SqliteConstructor = new(path: string, options?: { readonly readonly?: boolean }) => SqliteDatabase

// better-sqlite3 ships no types: the little used here is typed above.
const Database = createRequire(import.meta.url)("better-sqlite3") as SqliteConstructor

/** The `_record` column of a resource's table (`-` → `_`), parsed, in insertion order. */
export const readSqlite = (file: string, resource: string): Array<Row> => {
  const db = new Database(file, { readonly: true })
  try {
    const table = resource.replace(/-/g, "_")
    return db.prepare(`SELECT _record FROM "${table}" ORDER BY rowid`).all()
      .map((row) => JSON.parse(String(row["_record"])) as Row)
  } finally {
    db.close()
  }
}

/** The fields of a checkpoint file the tests look at. */
export interface CheckpointView {
  readonly phase: "walk" | "verify" | "complete"
  readonly nextPage: number
  readonly stats: { readonly records: number; readonly verified: boolean }
}

/**
 * The checkpoint of `resource` in `dir`, or undefined when there is none
 * yet. The file is replaced by rename, so a read sees a whole file.
 */
export const readCheckpoint = (dir: string, resource: string): CheckpointView | undefined => {
  try {
    return JSON.parse(NodeFs.readFileSync(CheckpointFile.pathOf(dir, resource), "utf8")) as CheckpointView
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** Every file under `dir`, recursively. */
export const filesUnder = (dir: string): Array<string> =>
  NodeFs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => NodePath.join(entry.parentPath, entry.name))

/** The files under `dir` whose bytes contain `text` (as UTF-8). */
export const filesContaining = (dir: string, text: string): Array<string> => {
  const needle = Buffer.from(text, "utf8")
  return filesUnder(dir).filter((file) => NodeFs.readFileSync(file).includes(needle))
}

/** The ids of `records`, in order. */
export const idsOf = (records: ReadonlyArray<Row>): Array<string> => records.map((record) => String(record["id"]))
