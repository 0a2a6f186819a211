/**
 * Where an export writes its records, whatever the runtime: an NDJSON or CSV
 * file, a SQLite table (see `@figgro/node`), or memory (here, for tests).
 *
 * A sink session is opened at a position — nothing (start afresh: discard
 * any earlier output) or the position of the last checkpoint (truncate back
 * to it: whatever was written after it is discarded) — then takes one page
 * of records at a time: `write`, then `flush`, which makes them durable and
 * answers the new position. The export saves its checkpoint only after
 * `flush`, so a crash at any moment leaves no partial or repeated record once
 * the sink is reopened at the checkpoint's position. Closing is the scope's
 * job.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { SinkPosition } from "./Checkpoint.js"
import type { Endpoint } from "./Endpoints.js"

/** One record as received from the API (unknown fields kept). */
export type ExportRecord = { readonly [field: string]: unknown }

/** The output could not be opened, written, synced or read back. */
export class SinkError extends Schema.TaggedError<SinkError>()("SinkError", {
  message: Schema.String,
  format: Schema.String,
  resource: Schema.String,
  /** The file or table concerned. */
  output: Schema.optional(Schema.String)
}) {}

export interface SinkOpenOptions {
  /** The resource being exported: its name names the file or table; its item schema gives the known fields. */
  readonly endpoint: Endpoint<string, any>
  /** `None`: start afresh. `Some`: resume, first truncating the output back to this position. */
  readonly position: Option.Option<SinkPosition>
}

/** An open output for one resource. */
export interface SinkSession {
  /** Where the records go (a path, a table), for summaries. */
  readonly output: string
  /** Writes the records of one page (may buffer until `flush`). */
  readonly write: (records: ReadonlyArray<ExportRecord>) => Effect.Effect<void, SinkError>
  /** Makes everything written durable (fsync, commit) and answers the position to checkpoint. */
  readonly flush: Effect.Effect<SinkPosition, SinkError>
  /** The ids of every record in the output up to the last flush: for the verify pass. */
  readonly ids: Stream.Stream<string, SinkError>
}

/** A kind of output. One sink serves every resource (each gets its own file or table). */
export interface Sink {
  /** `ndjson`, `csv`, `sqlite`, …: recorded in the checkpoint; a resume with another format is refused. */
  readonly format: string
  /** Opens the output of one resource; the session closes with the scope. */
  readonly open: (options: SinkOpenOptions) => Effect.Effect<SinkSession, SinkError, Scope.Scope>
}

/**
 * A sink that keeps records in memory, one array per resource, for tests.
 * Its position is the number of records flushed; `written` (records
 * written but not flushed) play the part of a partial write lost in a crash.
 *
 * @example
 * ```ts
 * const memory = ExportSink.makeMemory()
 * yield* Export.run({ endpoint: Endpoints.products, sink: memory.sink, checkpoints })
 * memory.records("products") // every record, in order
 * ```
 */
export const makeMemory = (): {
  readonly sink: Sink
  /** The records of `resource` up to the last flush. */
  readonly records: (resource: string) => ReadonlyArray<ExportRecord>
  /** Opens so far, per resource, with the position each was opened at. */
  readonly opens: Array<{ readonly resource: string; readonly position: Option.Option<SinkPosition> }>
} => {
  const flushed = new Map<string, Array<ExportRecord>>()
  const opens: Array<{ readonly resource: string; readonly position: Option.Option<SinkPosition> }> = []
  const sink: Sink = {
    format: "memory",
    open: ({ endpoint, position }) =>
      Effect.suspend(() => {
        const resource = endpoint.name
        opens.push({ resource, position })
        const output = `memory:${resource}`
        const fail = (message: string) => new SinkError({ message, format: "memory", resource, output })
        const records = flushed.get(resource) ?? []
        if (Option.isNone(position)) {
          records.length = 0
        } else {
          const count = position.value["records"]
          if (typeof count !== "number" || count > records.length) {
            return Effect.fail(fail(`Cannot resume at ${JSON.stringify(position.value)}: the output holds ${records.length} records`))
          }
          records.length = count
        }
        flushed.set(resource, records)
        let pending: Array<ExportRecord> = []
        const session: SinkSession = {
          output,
          write: (page) => Effect.sync(() => void pending.push(...page)),
          flush: Effect.sync(() => {
            records.push(...pending)
            pending = []
            return { records: records.length }
          }),
          ids: Stream.suspend(() => Stream.fromIterable(records.map((r) => String(r["id"]))))
        }
        return Effect.succeed(session)
      })
  }
  return { sink, records: (resource) => flushed.get(resource) ?? [], opens }
}
