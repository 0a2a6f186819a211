/**
 * A checkpointed export of one resource to any {@link Sink}: every page, in
 * order, written and made durable before its checkpoint is saved.
 *
 * - **Resume.** With `resume: true` the export continues from the checkpoint:
 *   the sink is truncated back to the checkpoint's output position (so a kill
 *   at any moment leaves no partial or repeated record) and the walk goes on
 *   at `nextPage`, without refetching a written page. A checkpoint taken
 *   with other filters, another format or another page size is refused with
 *   a {@link CheckpointMismatch}.
 * - **Drift.** Pages are offsets into live data. Records inserted before the
 *   walk's position repeat across a page boundary: they are dropped by id
 *   against the ids of the last `dedupeWindowPages` pages (kept in the
 *   checkpoint too). Records deleted before the position make later records
 *   shift back unseen: `verify: true` re-walks every page afterwards and adds
 *   the records whose id is not in the output. Every change of
 *   `total_records` is reported in the summary.
 * - **Completion.** A finished export leaves its checkpoint in place, marked
 *   `complete`, with the final counts: resuming it again answers its summary
 *   at no cost, unless `verify` is asked of an export that finished without
 *   its verify pass: then that pass runs over the output (e.g. after drift);
 *   a run without `resume` starts afresh.
 *
 * The checkpoint never holds the API key: the export never sees it.
 *
 * @example
 * ```ts
 * const summary = yield* Export.run({
 *   endpoint: Endpoints.jobRunTickets,
 *   filters: { startDate: "2026-01-01" },
 *   sink,                       // e.g. NdjsonSink.make("out") from @figgro/node
 *   checkpoints,                // e.g. CheckpointFile.make("out")
 *   resume: true,
 *   onProgress: (p) => SubscriptionRef.set(progress, p)
 * })
 * ```
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type Checkpoint,
  type CheckpointError,
  type CheckpointStore,
  currentVersion,
  type DriftChange,
  emptyStats,
  type ExportFilters,
  type ExportStats,
  type SinkPosition
} from "./Checkpoint.js"
import * as DateFilter from "./DateFilter.js"
import type { Endpoint } from "./Endpoints.js"
import type { ExportRecord, Sink, SinkError, SinkSession } from "./ExportSink.js"
import { Figgro } from "./Figgro.js"
import type { FiggroError } from "./FiggroError.js"
import type { Page } from "./FiggroHttp.js"
import type { BudgetSnapshot } from "./RateBudget.js"
import { SeenIds } from "./SeenIds.js"

/**
 * A checkpoint exists for this resource but was taken with other settings:
 * resuming would mix two different exports in one output. Start afresh
 * (without `resume`) or resume with the checkpoint's settings.
 */
export class CheckpointMismatch extends Schema.TaggedError<CheckpointMismatch>()("CheckpointMismatch", {
  message: Schema.String,
  resource: Schema.String,
  field: Schema.Literal("filters", "format", "pageSize"),
  /** The value in the checkpoint, as text. */
  checkpoint: Schema.String,
  /** The value of this run, as text. */
  requested: Schema.String
}) {}

/** Everything an export can fail with. */
export type ExportError = FiggroError | SinkError | CheckpointError | CheckpointMismatch

export type ExportPhase = "walk" | "verify" | "complete"

/** How one export runs. */
export interface ExportOptions<A> {
  readonly endpoint: Endpoint<string, A>
  readonly sink: Sink
  readonly checkpoints: CheckpointStore
  /** Date filters (job endpoints only; ignored elsewhere). Normalised to their query text before comparing. */
  readonly filters?: DateFilter.DateFilters | undefined
  /** Continue from the resource's checkpoint if there is one. Default false: start afresh, discarding checkpoint and output. */
  readonly resume?: boolean | undefined
  /**
   * After the walk, walk every page again and add records whose id is not
   * in the output (records a deletion shifted past the walk). Costs one more
   * request per page, and memory for the set of every id written (read back
   * from the sink): roughly 100 bytes per record.
   */
  readonly verify?: boolean | undefined
  /** Pages fetched ahead of the writer (order is kept). Default: the client's `readAhead`. */
  readonly concurrency?: number | undefined
  /** Pages whose ids are remembered to drop repeats (default 8: 200 ids at 25 a page). */
  readonly dedupeWindowPages?: number | undefined
  /** Called at the start, after every page written and at the end. */
  readonly onProgress?: ((progress: ExportProgress) => Effect.Effect<void>) | undefined
}

/** Where an export stands, for progress displays. Counts cover every run of a resumed export. */
export interface ExportProgress {
  readonly resource: string
  readonly phase: ExportPhase
  /** The last page written in this phase (0 before the first). */
  readonly page: number
  /** `total_pages` of the last page seen (0 before the first). */
  readonly totalPages: number
  /** `total_records` of the last page seen. */
  readonly totalRecords: number
  readonly records: number
  readonly pages: number
  readonly requests: number
  readonly retries: number
  readonly rateLimited: number
  readonly duplicatesSkipped: number
  readonly recovered: number
  readonly driftChanges: number
  /** The request budget now (costs no request); undefined if it could not be read. */
  readonly budget: BudgetSnapshot | undefined
}

/** `total_records` moved during the export. */
export interface DriftSummary {
  /** `total_records` on the first page. */
  readonly from: number
  /** `total_records` on the last page. */
  readonly to: number
  /** Each change: on which page, from what, to what. */
  readonly changes: ReadonlyArray<DriftChange>
}

/** What one export did. Counts cover every run of a resumed export. */
export interface ExportSummary {
  readonly resource: string
  readonly endpoint: string
  readonly format: string
  readonly output: string
  /** `already-complete`: the checkpoint said so; nothing was fetched. */
  readonly status: "completed" | "already-complete"
  /** This run continued an earlier one, at `resumedAtPage` of `resumedPhase`. */
  readonly resumed: boolean
  readonly resumedAtPage?: number
  readonly resumedPhase?: "walk" | "verify"
  readonly filters: ExportFilters
  readonly records: number
  readonly pages: number
  /** Requests spent: the sum of every page's attempts. */
  readonly requests: number
  readonly retries: number
  readonly rateLimited: number
  readonly duplicatesSkipped: number
  /** Records the verify pass added. */
  readonly recovered: number
  readonly verified: boolean
  /** Set when `total_records` changed during the export. */
  readonly drift: DriftSummary | undefined
  /** Time spent exporting over every run. */
  readonly durationMillis: number
  readonly runs: number
}

const defaultDedupeWindowPages = 8

/**
 * Exports one resource to `sink`, checkpointing after every page. See the
 * module documentation for resume, drift and completion.
 */
export const run = <A>(options: ExportOptions<A>): Effect.Effect<ExportSummary, ExportError, Figgro> =>
  Effect.gen(function*() {
    const figgro = yield* Figgro
    const { checkpoints, endpoint, sink } = options
    const resource = endpoint.name
    const filters = yield* normalizeFilters(endpoint, options.filters ?? {})
    const verify = options.verify ?? false

    let previous = Option.none<Checkpoint>()
    if (options.resume === true) {
      previous = yield* checkpoints.load(resource)
      if (Option.isSome(previous)) {
        const checkpoint = previous.value
        yield* checkSettings(checkpoint, { resource, filters, format: sink.format })
        if (checkpoint.phase === "complete") {
          if (!verify || checkpoint.stats.verified) return summarize(checkpoint, { status: "already-complete" })
          // Finished without a verify pass, which is asked for now: run it over the output.
          previous = Option.some({ ...checkpoint, phase: "verify", nextPage: 1 })
        }
      }
    } else {
      yield* checkpoints.remove(resource)
    }

    return yield* Effect.scoped(
      Effect.gen(function*() {
        const session = yield* sink.open({
          endpoint,
          position: Option.map(previous, (checkpoint) => checkpoint.outputPosition)
        })
        const engine = yield* makeEngine({
          options,
          figgro,
          session,
          filters,
          previous,
          verify
        })
        return yield* engine.run
      })
    )
  })

const normalizeFilters = (
  endpoint: Endpoint<string, any>,
  filters: DateFilter.DateFilters
): Effect.Effect<ExportFilters, FiggroError> =>
  Effect.map(
    DateFilter.toQuery(endpoint.dateField === undefined ? {} : filters, { endpoint: endpoint.path, page: 0 }),
    (query): ExportFilters => ({
      ...(query["startDate"] === undefined ? {} : { startDate: query["startDate"] }),
      ...(query["endDate"] === undefined ? {} : { endDate: query["endDate"] })
    })
  )

const filtersText = (filters: ExportFilters): string =>
  JSON.stringify({ startDate: filters.startDate ?? null, endDate: filters.endDate ?? null })

const checkSettings = (
  checkpoint: Checkpoint,
  run: { readonly resource: string; readonly filters: ExportFilters; readonly format: string }
): Effect.Effect<void, CheckpointMismatch> => {
  const mismatch = (field: CheckpointMismatch["field"], was: string, now: string, what: string) =>
    Effect.fail(
      new CheckpointMismatch({
        resource: run.resource,
        field,
        checkpoint: was,
        requested: now,
        message:
          `Cannot resume the export of ${run.resource}: its checkpoint was taken with ${what} ${was}, this run asks for ${now}. ` +
          `Resume with the same ${what}, or start afresh without resume.`
      })
    )
  if (filtersText(checkpoint.filters) !== filtersText(run.filters)) {
    return mismatch("filters", filtersText(checkpoint.filters), filtersText(run.filters), "filters")
  }
  if (checkpoint.format !== run.format) return mismatch("format", checkpoint.format, run.format, "format")
  return Effect.void
}

const summarize = (
  checkpoint: Checkpoint,
  extra: {
    readonly status: ExportSummary["status"]
    readonly resumedAt?: { readonly page: number; readonly phase: "walk" | "verify" } | undefined
  }
): ExportSummary => {
  const stats = checkpoint.stats
  return {
    resource: checkpoint.resource,
    endpoint: checkpoint.endpoint,
    format: checkpoint.format,
    output: checkpoint.output,
    status: extra.status,
    resumed: extra.resumedAt !== undefined,
    ...(extra.resumedAt === undefined ? {} : { resumedAtPage: extra.resumedAt.page, resumedPhase: extra.resumedAt.phase }),
    filters: checkpoint.filters,
    records: stats.records,
    pages: stats.pages,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    duplicatesSkipped: stats.duplicatesSkipped,
    recovered: stats.recovered,
    verified: stats.verified,
    drift: stats.drift.length === 0 ?
      undefined :
      { from: stats.initialTotalRecords ?? stats.drift[0]!.from, to: checkpoint.totalRecordsSeen, changes: stats.drift },
    durationMillis: stats.durationMillis,
    runs: stats.runs
  }
}

const idOf = (record: ExportRecord): string => {
  const id = record["id"]
  return typeof id === "string" ? id : JSON.stringify(id)
}

interface EngineInput<A> {
  readonly options: ExportOptions<A>
  readonly figgro: Figgro["Type"]
  readonly session: SinkSession
  readonly filters: ExportFilters
  readonly previous: Option.Option<Checkpoint>
  readonly verify: boolean
}

/** The mutable state of one run, and the steps that move it. */
const makeEngine = <A>(input: EngineInput<A>) =>
  Effect.gen(function*() {
    const { figgro, filters, options, session } = input
    const { checkpoints, endpoint, sink } = options
    const resource = endpoint.name
    const startedAt = yield* Clock.currentTimeMillis
    const previous = Option.getOrUndefined(input.previous)

    let phase: "walk" | "verify" = previous?.phase === "verify" ? "verify" : "walk"
    let nextPage = previous?.nextPage ?? 1
    let pageSize = previous?.pageSize
    let totalRecords = previous?.totalRecordsSeen
    let totalPages = previous?.totalPagesSeen ?? 0
    let position: SinkPosition = previous?.outputPosition ?? {}
    let lastPageOfPhase = nextPage - 1
    const previousStats: ExportStats = previous?.stats ?? emptyStats
    const stats: { -readonly [K in keyof ExportStats]: ExportStats[K] } & { drift: Array<DriftChange> } = {
      ...previousStats,
      drift: [...previousStats.drift],
      runs: previousStats.runs + 1
    }
    const seen = new SeenIds(options.dedupeWindowPages ?? defaultDedupeWindowPages, previous?.recentIds ?? [])
    /** Every id in the output: only during the verify pass. */
    let written: Set<string> | undefined

    const checkpoint = (now: number, complete: boolean): Checkpoint => ({
      version: currentVersion,
      resource,
      endpoint: endpoint.path,
      phase: complete ? "complete" : phase,
      nextPage: complete ? 1 : nextPage,
      pageSize: pageSize ?? 1,
      totalRecordsSeen: totalRecords ?? 0,
      totalPagesSeen: totalPages,
      filters,
      format: sink.format,
      output: session.output,
      outputPosition: position,
      recentIds: complete ? [] : seen.toJSON(),
      stats: { ...stats, durationMillis: previousStats.durationMillis + Math.max(0, now - startedAt) },
      updatedAt: new Date(now).toISOString()
    })

    const save = (complete = false) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const next = checkpoint(now, complete)
        return Effect.as(checkpoints.save(next), next)
      })

    const progress = (current: ExportPhase) => {
      const onProgress = options.onProgress
      if (onProgress === undefined) return Effect.void
      return Effect.flatMap(Effect.option(figgro.budget), (budget) => onProgress({
        resource,
        phase: current,
        page: lastPageOfPhase,
        totalPages,
        totalRecords: totalRecords ?? 0,
        records: stats.records,
        pages: stats.pages,
        requests: stats.requests,
        retries: stats.retries,
        rateLimited: stats.rateLimited,
        duplicatesSkipped: stats.duplicatesSkipped,
        recovered: stats.recovered,
        driftChanges: stats.drift.length,
        budget: Option.getOrUndefined(budget)
      }))
    }

    const checkPageSize = (page: Page<A>): Effect.Effect<void, CheckpointMismatch> => {
      if (pageSize === undefined) {
        pageSize = page.pageSize
        return Effect.void
      }
      if (page.pageSize === pageSize) return Effect.void
      return Effect.fail(
        new CheckpointMismatch({
          resource,
          field: "pageSize",
          checkpoint: String(pageSize),
          requested: String(page.pageSize),
          message: `The export of ${resource} started with pages of ${pageSize} records, but page ${page.page} has ` +
            `page_size ${page.pageSize}: page numbers no longer mean the same records. Start afresh without resume.`
        })
      )
    }

    /** Writes one page's new records, makes them durable, then checkpoints. */
    const writePage = (page: Page<A>) =>
      Effect.gen(function*() {
        yield* checkPageSize(page)
        stats.pages += 1
        stats.requests += page.attempts
        stats.retries += Math.max(0, page.attempts - 1)
        stats.rateLimited += page.rateLimitedAttempts
        if (stats.initialTotalRecords === undefined) stats.initialTotalRecords = page.totalRecords
        if (totalRecords !== undefined && totalRecords !== page.totalRecords) {
          stats.drift.push({ page: page.page, from: totalRecords, to: page.totalRecords, phase })
        }
        totalRecords = page.totalRecords
        totalPages = page.totalPages

        const pageIds = new Set<string>()
        const fresh: Array<ExportRecord> = []
        for (const record of page.data as ReadonlyArray<ExportRecord>) {
          const id = idOf(record)
          const duplicate = pageIds.has(id) || (written === undefined ? seen.has(id) : written.has(id))
          pageIds.add(id)
          if (duplicate) {
            stats.duplicatesSkipped += phase === "walk" ? 1 : 0
            continue
          }
          fresh.push(record)
          written?.add(id)
        }
        if (phase === "walk") seen.addPage(pageIds)
        else stats.recovered += fresh.length
        stats.records += fresh.length

        if (fresh.length > 0) yield* session.write(fresh)
        position = yield* session.flush
        nextPage = page.page + 1
        lastPageOfPhase = page.page
        yield* save()
        yield* progress(phase)
      })

    const walkFrom = (startPage: number) =>
      figgro.resource(endpoint).pages({
        ...filters,
        startPage,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
      }).pipe(Stream.runForEach(writePage))

    const run = Effect.gen(function*() {
      const resumedAt = previous === undefined ? undefined : { page: nextPage, phase }
      yield* progress(phase)
      if (phase === "walk") {
        yield* walkFrom(nextPage)
        if (input.verify) {
          phase = "verify"
          nextPage = 1
          lastPageOfPhase = 0
          yield* save()
        }
      }
      if (phase === "verify") {
        if (input.verify) {
          written = yield* Stream.runFold(session.ids, new Set<string>(), (set, id) => set.add(id))
          yield* walkFrom(nextPage)
          stats.verified = true
        }
      }
      const final = yield* save(true)
      yield* progress("complete")
      return summarize(final, { status: "completed", resumedAt })
    })

    return { run }
  })
