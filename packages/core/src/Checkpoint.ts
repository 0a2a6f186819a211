/**
 * The checkpoint of one resource's export: how far it got, where the output
 * stands, and what it has counted so far — enough to resume after a crash
 * without refetching a written page or writing a record twice.
 *
 * A checkpoint is saved after each page's records are durably in the output,
 * so it never runs ahead of the output. It holds the filters, the format and
 * the page size the export started with (a resume with different ones is
 * refused) and never the API key.
 *
 * The file format is JSON, decoded with {@link Checkpoint}; a file that does
 * not decode is a {@link CheckpointError} naming the file and the field.
 *
 * @example
 * ```ts
 * const store = yield* CheckpointStore.memory
 * yield* store.save(checkpoint)
 * const again = yield* store.load("products") // Option<Checkpoint>
 * ```
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** The checkpoint format version written by this code. */
export const currentVersion = 1

const Count = Schema.Int.pipe(Schema.nonNegative())

/**
 * Where a sink's output stands: a JSON object only the sink reads (a byte
 * length, a batch number, the CSV columns…). Opaque to the engine.
 */
export const SinkPosition = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type SinkPosition = typeof SinkPosition.Type

/** The filters an export runs with, normalised to the query text sent to the API. */
export const ExportFilters = Schema.Struct({
  startDate: Schema.optional(Schema.String),
  endDate: Schema.optional(Schema.String)
})
export type ExportFilters = typeof ExportFilters.Type

/** `total_records` changed between two pages: from the previous page's value to this page's. */
export const DriftChange = Schema.Struct({
  page: Count,
  from: Count,
  to: Count,
  phase: Schema.Literal("walk", "verify")
})
export type DriftChange = typeof DriftChange.Type

/** What an export has counted so far, over every run that resumed it. */
export const ExportStats = Schema.Struct({
  /** Records written to the output (after dedupe), the verify pass included. */
  records: Count,
  /** Pages fetched and written (both passes). */
  pages: Count,
  /** Requests those pages cost: the sum of each page's attempts. */
  requests: Count,
  /** Attempts that were retries. */
  retries: Count,
  /** Attempts answered 429. */
  rateLimited: Count,
  /** Records dropped because their id was already written (offset drift). */
  duplicatesSkipped: Count,
  /** Records the verify pass found missing and added. */
  recovered: Count,
  /** The verify pass ran to its end. */
  verified: Schema.Boolean,
  /** `total_records` of the first page of the export. */
  initialTotalRecords: Schema.optional(Count),
  /** Every change of `total_records` between consecutive pages. */
  drift: Schema.Array(DriftChange),
  /** Time spent exporting, over every run, in milliseconds. */
  durationMillis: Count,
  /** Runs of the export: 1, plus one per resume. */
  runs: Count
})
export type ExportStats = typeof ExportStats.Type

/** Stats of an export that has not started. */
export const emptyStats: ExportStats = {
  records: 0,
  pages: 0,
  requests: 0,
  retries: 0,
  rateLimited: 0,
  duplicatesSkipped: 0,
  recovered: 0,
  verified: false,
  drift: [],
  durationMillis: 0,
  runs: 0
}

/**
 * The checkpoint file. `phase` is `walk` (the main pass), `verify` (the
 * optional re-walk that adds missed records) or `complete`. `nextPage` is the
 * next page of the current phase. `recentIds` are the ids of the last pages
 * written, newest last, so that a resumed export still drops the records that
 * offset drift repeats across page boundaries.
 */
export const Checkpoint = Schema.Struct({
  version: Schema.Literal(currentVersion),
  resource: Schema.String,
  endpoint: Schema.String,
  phase: Schema.Literal("walk", "verify", "complete"),
  nextPage: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  /** `page_size` the server answered when the export started. */
  pageSize: Schema.Int.pipe(Schema.positive()),
  /** `total_records` of the last page written. */
  totalRecordsSeen: Count,
  /** `total_pages` of the last page written. */
  totalPagesSeen: Count,
  filters: ExportFilters,
  /** The sink's format: `ndjson`, `csv`, `sqlite`, … */
  format: Schema.String,
  /** Where the records go (a path, a table), as the sink named it. */
  output: Schema.String,
  outputPosition: SinkPosition,
  recentIds: Schema.Array(Schema.Array(Schema.String)),
  stats: ExportStats,
  /** When this checkpoint was saved (ISO 8601). */
  updatedAt: Schema.String
})
export type Checkpoint = typeof Checkpoint.Type

/** A checkpoint could not be read or written, or does not decode. Never holds the key. */
export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  message: Schema.String,
  resource: Schema.String,
  /** Where the checkpoint lives (a file path), when there is one. */
  location: Schema.optional(Schema.String)
}) {}

const CheckpointJson = Schema.parseJson(Checkpoint)
const decodeJson = Schema.decodeUnknownEither(CheckpointJson)
const encodeJson = Schema.encodeSync(Schema.parseJson(Checkpoint, { space: 2 }))

/**
 * Decodes the text of a checkpoint file, or fails with a {@link CheckpointError}
 * that says it is corrupt, where, and which field is wrong.
 */
export const decode = (
  text: string,
  where: { readonly resource: string; readonly location?: string | undefined }
): Effect.Effect<Checkpoint, CheckpointError> =>
  Either.match(decodeJson(text), {
    onRight: (checkpoint) =>
      checkpoint.resource === where.resource ?
        Effect.succeed(checkpoint) :
        Effect.fail(
          new CheckpointError({
            resource: where.resource,
            ...(where.location === undefined ? {} : { location: where.location }),
            message: `The checkpoint${at(where.location)} belongs to "${checkpoint.resource}", not "${where.resource}"`
          })
        ),
    onLeft: (error) => {
      const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const path = first === undefined || first.path.length === 0 ? "" : ` at ${first.path.map(String).join(".")}`
      return Effect.fail(
        new CheckpointError({
          resource: where.resource,
          ...(where.location === undefined ? {} : { location: where.location }),
          message: `The checkpoint${at(where.location)} is corrupt or from another version${path}: ${
            first?.message ?? error.message
          }. Delete it to start the export afresh.`
        })
      )
    }
  })

/** The text of a checkpoint file (pretty JSON). */
export const encode = (checkpoint: Checkpoint): string => encodeJson(checkpoint) + "\n"

const at = (location: string | undefined) => (location === undefined ? "" : ` ${location}`)

/**
 * Where checkpoints are kept, one per resource. `save` must be atomic: after
 * a crash at any moment, `load` returns either the previous checkpoint or the
 * new one, never a mix.
 */
export interface CheckpointStore {
  /** The checkpoint of `resource`, if one was saved. Fails on a corrupt one. */
  readonly load: (resource: string) => Effect.Effect<Option.Option<Checkpoint>, CheckpointError>
  /** Replaces the checkpoint of `checkpoint.resource`, atomically. */
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, CheckpointError>
  /** Forgets the checkpoint of `resource` (no error when there is none). */
  readonly remove: (resource: string) => Effect.Effect<void, CheckpointError>
}

/** An in-memory store of checkpoint texts, for tests. `texts` shows what would be on disk. */
export const makeMemoryStore = (): CheckpointStore & { readonly texts: Map<string, string> } => {
  const texts = new Map<string, string>()
  return {
    texts,
    load: (resource) =>
      Effect.suspend(() => {
        const text = texts.get(resource)
        return text === undefined ?
          Effect.succeedNone :
          Effect.map(decode(text, { resource, location: `memory:${resource}` }), Option.some)
      }),
    save: (checkpoint) => Effect.sync(() => void texts.set(checkpoint.resource, encode(checkpoint))),
    remove: (resource) => Effect.sync(() => void texts.delete(resource))
  }
}
