/**
 * The Figgro client: each endpoint as a namespace with a single-page effect
 * and lazy streams that walk every page.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const figgro = yield* Figgro
 *   const first = yield* figgro.products.page(1)
 *   const low = yield* figgro.products.stream().pipe(
 *     Stream.filter((p) => p.availableQuantity < p.minimumStockLevel),
 *     Stream.runCollect
 *   )
 * })
 * ```
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as DateFilter from "./DateFilter.js"
import * as Endpoints from "./Endpoints.js"
import type { Endpoint } from "./Endpoints.js"
import { FiggroConfig } from "./FiggroConfig.js"
import type { FiggroError } from "./FiggroError.js"
import { FiggroHttp, type Page } from "./FiggroHttp.js"
import * as Metrics from "./Metrics.js"
import { type BudgetSnapshot, RateBudget } from "./RateBudget.js"

/** How a walk runs. */
export interface WalkOptions {
  /** Pages fetched ahead of the consumer (still emitted in page order). Default: `FiggroConfig.readAhead`. */
  readonly concurrency?: number | undefined
  /** First page to fetch (1-based), e.g. to resume an export. Default 1. */
  readonly startPage?: number | undefined
}

/** One endpoint, as a namespace of the client. `Filters` is `DateFilters` for the job endpoints. */
export interface Resource<A, Filters extends object = {}> {
  readonly endpoint: Endpoint<string, A>
  /** One page (default 1): exactly one request, plus retries. */
  readonly page: (page?: number, filters?: Filters) => Effect.Effect<Page<A>, FiggroError>
  /**
   * Every page in order, lazily: nothing is fetched until pulled, and the walk
   * ends after `total_pages` (an empty result costs one request). Each page
   * carries `totalRecords`, so a change between pages (drift) is visible.
   */
  readonly pages: (options?: Filters & WalkOptions) => Stream.Stream<Page<A>, FiggroError>
  /** Every record of every page, in order. */
  readonly stream: (options?: Filters & WalkOptions) => Stream.Stream<A, FiggroError>
}

export interface FiggroShape {
  readonly products: Resource<Endpoints.Product>
  readonly rawMaterials: Resource<Endpoints.RawMaterial>
  readonly jobRuns: Resource<Endpoints.JobRun, DateFilter.DateFilters>
  readonly jobRunTickets: Resource<Endpoints.JobRunTicket, DateFilter.DateFilters>
  readonly productJobRunTickets: Resource<Endpoints.ProductJobRunTicket, DateFilter.DateFilters>
  /** Any endpoint as a resource, e.g. for tools that take the resource name from the user. */
  readonly resource: <A>(endpoint: Endpoint<string, A>) => Resource<A, DateFilter.DateFilters>
  /** The request budget now: limit, remaining, reset, blocked-until. Costs no request. */
  readonly budget: Effect.Effect<BudgetSnapshot, FiggroError>
}

/** The Figgro client service. */
export class Figgro extends Context.Tag("@figgro/core/Figgro")<Figgro, FiggroShape>() {
  /** The client over a `FiggroHttp` and a `RateBudget` you provide (e.g. a shared Redis budget). */
  static readonly layerWithoutBudget: Layer.Layer<
    Figgro,
    never,
    HttpClient.HttpClient | FiggroConfig | RateBudget
  > = Layer.effect(
    Figgro,
    Effect.gen(function*() {
      return make(yield* FiggroHttp, yield* FiggroConfig, yield* RateBudget)
    })
  ).pipe(Layer.provideMerge(FiggroHttp.layer))

  /** The client with an in-memory budget. Provide `HttpClient` and `FiggroConfig`. */
  static readonly layer: Layer.Layer<Figgro, never, HttpClient.HttpClient | FiggroConfig> = Figgro
    .layerWithoutBudget.pipe(Layer.provide(RateBudget.layerMemory))
}

const make = (http: FiggroHttp["Type"], config: FiggroConfig["Type"], budget: RateBudget["Type"]): FiggroShape => {
  const resource = <A>(endpoint: Endpoint<string, A>): Resource<A, DateFilter.DateFilters> => {
    const query = (filters: DateFilter.DateFilters, page: number) =>
      DateFilter.toQuery(endpoint.dateField === undefined ? {} : filters, { endpoint: endpoint.path, page })

    const page = (page = 1, filters: DateFilter.DateFilters = {}) =>
      Effect.flatMap(query(filters, page), (params) => http.getPage(endpoint, page, params))

    const pages = (options: DateFilter.DateFilters & WalkOptions = {}) =>
      Stream.unwrap(
        Effect.map(query(options, options.startPage ?? 1), (params) =>
          walk(endpoint, (n) => http.getPage(endpoint, n, params), {
            startPage: options.startPage ?? 1,
            concurrency: options.concurrency ?? config.readAhead
          }))
      )

    const stream = (options: DateFilter.DateFilters & WalkOptions = {}) =>
      Stream.mapConcat(pages(options), (p) => p.data)

    return { endpoint, page, pages, stream }
  }

  return {
    products: resource(Endpoints.products),
    rawMaterials: resource(Endpoints.rawMaterials),
    jobRuns: resource(Endpoints.jobRuns),
    jobRunTickets: resource(Endpoints.jobRunTickets),
    productJobRunTickets: resource(Endpoints.productJobRunTickets),
    resource,
    budget: budget.snapshot
  }
}

/**
 * Pages `startPage`, `startPage + 1`, … up to the latest `total_pages` seen,
 * `concurrency` in flight, emitted in order. A 404 past the first page is
 * read as "past the end" (some servers answer that instead of an empty page).
 */
const walk = <A>(
  endpoint: Endpoint<string, A>,
  fetch: (page: number) => Effect.Effect<Page<A>, FiggroError>,
  options: { readonly startPage: number; readonly concurrency: number }
): Stream.Stream<Page<A>, FiggroError> =>
  Stream.suspend(() => {
    let totalPages = 0
    let previousTotal: number | undefined
    const fetchTracked = (n: number) =>
      Effect.map(fetch(n), (page) => {
        totalPages = page.totalPages
        return Option.some(page)
      })
    const fetchRest = (n: number) =>
      fetchTracked(n).pipe(Effect.catchTag("NotFound", (error) => n > 1 ? Effect.succeedNone : Effect.fail(error)))

    const rest = Stream.iterate(options.startPage + 1, (n) => n + 1).pipe(
      Stream.takeWhile((n) => n <= totalPages),
      Stream.mapEffect(fetchRest, { concurrency: options.concurrency }),
      Stream.takeWhile(Option.isSome),
      Stream.map((page) => page.value)
    )
    const first = Stream.fromEffect(
      fetchTracked(options.startPage).pipe(
        Effect.catchTag("NotFound", (error) => options.startPage > 1 ? Effect.succeedNone : Effect.fail(error))
      )
    ).pipe(Stream.filterMap((page) => page))

    return Stream.concat(first, rest).pipe(
      Stream.tap((page) => {
        const drifted = previousTotal !== undefined && previousTotal !== page.totalRecords
        const from = previousTotal
        previousTotal = page.totalRecords
        return drifted ?
          Effect.zipRight(
            Metric.increment(Metrics.drift),
            Effect.logWarning(
              `${endpoint.path}: total_records changed from ${from} to ${page.totalRecords} at page ${page.page}; records may have shifted between pages`
            )
          ) :
          Effect.void
      })
    )
  })
